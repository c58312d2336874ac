// nasfake scenario check|explain: a scenario file's validity and effect,
// before a client runs under it.
#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/flag_parser.h"
#include "fake/server/tenant.h"
#include "scenarios/explain.h"
#include "scenarios/scenario_json.h"

namespace nasfake::cli {
namespace {

constexpr char kScenarioUsage[] =
    "Usage: nasfake scenario check FILE...\n"
    "       nasfake scenario explain FILE...\n"
    "\n"
    "  check     load each scenario file as 'nasfake serve --scenario' would (on a\n"
    "            fresh fake) and say whether it is valid; an invalid file's error\n"
    "            names the file, the path inside it and what is wrong\n"
    "  explain   say what each scenario will do, in words: what it seeds, how jobs\n"
    "            move, and what each rule does to which requests, in order\n"
    "\n"
    "Flags:\n"
    "  -h, --help   print this help\n"
    "  --version    print the version\n"
    "\n"
    "Exit status: 0 when every file is valid; 2 for bad flags or arguments; 3 when\n"
    "a file cannot be read or is not a valid scenario.\n";

// The scenario in `file`, loaded and applied to a fresh fake (so that what
// only applying finds, such as a jobLifecycles entry for a job nobody seeds,
// is found too).
StatusOr<scenarios::Scenario> Load(const std::string& file) {
  auto scenario = scenarios::LoadScenarioFile(file);
  if (!scenario.ok()) return scenario.status();
  Tenant fresh{FakeOptions{}};
  if (Status s = fresh.ApplyScenario(*scenario); !s.ok()) {
    return Status(s.code(), file + ": " + s.message());
  }
  return scenario;
}

}  // namespace

int Scenario(const std::vector<std::string>& args) {
  if (args.empty()) {
    std::cerr << "nasfake scenario: check or explain?\n\n" << kScenarioUsage;
    return kExitUsage;
  }
  const std::string& verb = args[0];
  if (verb.rfind("-", 0) == 0) {
    // --help, --version, or an unknown flag.
    return FlagParser("scenario", kScenarioUsage).Parse(args).value_or(kExitUsage);
  }
  if (verb != "check" && verb != "explain") {
    return FlagParser("scenario", kScenarioUsage)
        .UsageError("unknown subcommand '" + verb + "' (check or explain)");
  }
  std::vector<std::string> files;
  FlagParser flags("scenario " + verb, kScenarioUsage);
  flags.Positionals("FILE", 1, SIZE_MAX, &files);
  if (auto done = flags.Parse({args.begin() + 1, args.end()})) return *done;

  int exit_code = kExitOk;
  for (size_t i = 0; i < files.size(); ++i) {
    auto scenario = Load(files[i]);
    if (!scenario.ok()) {
      std::cerr << "nasfake scenario " << verb << ": " << scenario.status().message() << "\n";
      exit_code = kExitCannotRun;
      continue;
    }
    if (verb == "check") {
      std::cout << files[i] << ": valid scenario \"" << scenario->name << "\" ("
                << Count(scenario->rules.size(), "rule") << ")\n";
    } else {
      std::cout << (i == 0 ? "" : "\n") << scenarios::ExplainScenario(*scenario);
    }
  }
  return exit_code;
}

}  // namespace nasfake::cli
