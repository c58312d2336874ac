#include "cli/flag_parser.h"

#include <charconv>
#include <iostream>
#include <utility>

#include "cli/commands.h"

namespace nasfake::cli {
namespace {

std::string Quoted(const std::string& text) { return "\"" + text + "\""; }

}  // namespace

FlagParser::FlagParser(std::string command, std::string usage)
    : command_(std::move(command)), usage_(std::move(usage)) {}

FlagParser& FlagParser::Flag(std::string name, Setter set) {
  specs_.push_back({std::move(name), std::move(set), true});
  return *this;
}

FlagParser& FlagParser::Switch(std::string name, std::function<void()> set) {
  specs_.push_back({std::move(name),
                    [set = std::move(set)](const std::string&) {
                      set();
                      return std::string();
                    },
                    false});
  return *this;
}

FlagParser& FlagParser::Positionals(std::string what, size_t min, size_t max,
                                    std::vector<std::string>* out) {
  positional_what_ = std::move(what);
  positional_min_ = min;
  positional_max_ = max;
  positionals_ = out;
  return *this;
}

const FlagParser::Spec* FlagParser::Find(std::string_view name) const {
  for (const Spec& spec : specs_) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

std::optional<int> FlagParser::Parse(const std::vector<std::string>& args) const {
  size_t positionals = 0;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << usage_;
      return kExitOk;
    }
    if (arg == "--version") return PrintVersion();
    if (arg.size() < 2 || arg[0] != '-') {
      if (positionals_ == nullptr) {
        return UsageError("unexpected argument '" + arg + "' (nasfake " + command_ +
                          " takes no arguments, only flags)");
      }
      if (positionals == positional_max_) {
        return UsageError("unexpected argument '" + arg + "' (nasfake " + command_ +
                          " takes at most " + std::to_string(positional_max_) + " " +
                          positional_what_ + ")");
      }
      positionals_->push_back(arg);
      ++positionals;
      continue;
    }
    size_t equals = arg.find('=');
    std::string name = arg.substr(0, equals);
    const Spec* spec = Find(name);
    if (spec == nullptr) return UsageError("unknown flag '" + name + "'");
    std::string value;
    if (!spec->takes_value) {
      if (equals != std::string::npos) return UsageError(name + " takes no value");
    } else if (equals != std::string::npos) {
      value = arg.substr(equals + 1);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return UsageError(name + " needs a value");
    }
    if (std::string problem = spec->set(value); !problem.empty()) {
      return UsageError(name + ": " + problem);
    }
  }
  if (positionals < positional_min_) {
    return UsageError("which " + positional_what_ + "? (nasfake " + command_ + " " +
                      positional_what_ + ")");
  }
  return std::nullopt;
}

int FlagParser::UsageError(const std::string& message) const {
  std::cerr << "nasfake " << command_ << ": " << message << "\nRun 'nasfake " << command_
            << " --help' for the flags.\n";
  return kExitUsage;
}

FlagParser::Setter PortValue(int* out) {
  return [out](const std::string& value) -> std::string {
    int port = -1;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), port);
    if (ec != std::errc{} || end != value.data() + value.size() || port < 0 || port > 65535) {
      return "expected a number from 0 (any free port) to 65535, got " + Quoted(value);
    }
    *out = port;
    return "";
  };
}

FlagParser::Setter DurationValue(std::optional<model::Duration>* out) {
  return [out](const std::string& value) -> std::string {
    auto parsed = model::ParseDuration(value);
    if (!parsed || parsed->count() < 0) {
      return "expected a duration >= 0s such as \"0.5s\" or \"3600s\", got " + Quoted(value);
    }
    *out = *parsed;
    return "";
  };
}

FlagParser::Setter TextValue(std::string* out, std::string what) {
  return [out, what = std::move(what)](const std::string& value) -> std::string {
    if (value.empty()) return "needs " + what;
    *out = value;
    return "";
  };
}

FlagParser::Setter AppendValue(std::vector<std::string>* out, std::string what) {
  return [out, what = std::move(what)](const std::string& value) -> std::string {
    if (value.empty()) return "needs " + what;
    out->push_back(value);
    return "";
  };
}

FlagParser::Setter ChoiceValue(std::string* out, std::vector<std::string> choices) {
  return [out, choices = std::move(choices)](const std::string& value) -> std::string {
    std::string expected;
    for (const auto& choice : choices) {
      if (choice == value) {
        *out = value;
        return "";
      }
      expected += (expected.empty() ? "" : choice == choices.back() ? " or " : ", ") + choice;
    }
    return "expected " + expected + ", got " + Quoted(value);
  };
}

std::string Count(size_t count, std::string_view singular, std::string_view plural) {
  std::string noun(singular);
  if (count != 1) noun = plural.empty() ? noun + "s" : std::string(plural);
  return std::to_string(count) + " " + noun;
}

}  // namespace nasfake::cli
