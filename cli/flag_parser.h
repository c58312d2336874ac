// The one command-line parser of every nasfake command, so every command
// reads its arguments alike: a flag's value as `--name VALUE` or
// `--name=VALUE`, a switch as `--name`, `-h`/`--help` and `--version`, and
// positional arguments only where a command takes them. Errors name the flag,
// echo the value and say what is accepted:
//   nasfake serve: --queued-for: expected a duration >= 0s such as "0.5s" or
//   "3600s", got "2m"
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fake/model/time.h"

namespace nasfake::cli {

class FlagParser {
 public:
  // Checks a flag's value and stores it; returns "" when the value is taken,
  // else what is wrong with it (the parser puts the flag's name in front).
  using Setter = std::function<std::string(const std::string& value)>;

  // `command` names the command in messages ("serve", "scenario check");
  // `usage` is what --help prints.
  FlagParser(std::string command, std::string usage);

  // A flag that takes a value: `--name VALUE` or `--name=VALUE`.
  FlagParser& Flag(std::string name, Setter set);
  // A flag that takes none: `--name`.
  FlagParser& Switch(std::string name, std::function<void()> set);
  // The command's positional arguments, named `what` in messages
  // ("TRANSCRIPT"): from `min` to `max` of them are appended to `out`.
  // Without this call the command takes none.
  FlagParser& Positionals(std::string what, size_t min, size_t max, std::vector<std::string>* out);

  // Parses `args` in order. Returns the exit code when the command is done:
  // kExitOk after --help or --version (printed on stdout), kExitUsage after
  // a usage error (printed on stderr, see UsageError). nullopt: run.
  std::optional<int> Parse(const std::vector<std::string>& args) const;

  // Prints "nasfake COMMAND: MESSAGE" and where to find the flags on
  // stderr; returns kExitUsage. For checks that span flags ("--out is required").
  int UsageError(const std::string& message) const;

 private:
  struct Spec {
    std::string name;
    Setter set;  // flags that take a value
    bool takes_value;
  };
  const Spec* Find(std::string_view name) const;

  std::string command_;
  std::string usage_;
  std::vector<Spec> specs_;
  std::string positional_what_;
  size_t positional_min_ = 0;
  size_t positional_max_ = 0;
  std::vector<std::string>* positionals_ = nullptr;
};

// Setters for the common kinds of value; each stores what it parsed.

// A port: a whole number from 0 (any free port) to 65535.
FlagParser::Setter PortValue(int* out);
// A duration as the API writes them ("0.5s", "3600s"), >= 0.
FlagParser::Setter DurationValue(std::optional<model::Duration>* out);
// Any non-empty text; `what` says what it is in the error ("an address").
FlagParser::Setter TextValue(std::string* out, std::string what);
// Non-empty text, once per use of the flag (a repeatable flag).
FlagParser::Setter AppendValue(std::vector<std::string>* out, std::string what);
// One of `choices`.
FlagParser::Setter ChoiceValue(std::string* out, std::vector<std::string> choices);

// "1 case", "2 cases": `count` and the noun, singular or plural.
std::string Count(size_t count, std::string_view singular, std::string_view plural = "");

}  // namespace nasfake::cli
