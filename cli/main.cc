// nasfake: a fake of the Vertex AI NasJobs REST API, and its test harness.
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "fake/version.h"

namespace {

constexpr char kUsage[] =
    "Usage: nasfake <command> [flags]\n"
    "\n"
    "Commands:\n"
    "  serve        Serve the fake NasJobs API until interrupted\n"
    "  conformance  Run the conformance cases against a NasJobs client\n"
    "  record       Proxy to an upstream API, recording the exchanges as a transcript\n"
    "  replay       Serve a recorded transcript's answers again\n"
    "  scenario     Check a scenario file, or explain what it will do\n"
    "  version      Print the version (also: nasfake --version, nasfake <command> --version)\n"
    "\n"
    "Flags:\n"
    "  -h, --help   print this help\n"
    "  --version    print the version\n"
    "\n"
    "Run 'nasfake <command> --help' for a command's flags. Exit status: 0 on success,\n"
    "1 when the command ran and found a failure, 2 for bad flags, 3 when it cannot run.\n";

using Command = int (*)(const std::vector<std::string>&);
const std::map<std::string, Command> kCommands = {
    {"serve", nasfake::cli::Serve},       {"conformance", nasfake::cli::Conformance},
    {"record", nasfake::cli::Record},     {"replay", nasfake::cli::Replay},
    {"scenario", nasfake::cli::Scenario},
};

}  // namespace

int nasfake::cli::PrintVersion() {
  std::cout << "nasfake " << NASFAKE_VERSION << "\n";
  return kExitOk;
}

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << kUsage;
    return args.empty() ? nasfake::cli::kExitUsage : nasfake::cli::kExitOk;
  }
  std::string command = args[0];
  args.erase(args.begin());
  if (command == "version" || command == "--version") return nasfake::cli::PrintVersion();
  if (auto it = kCommands.find(command); it != kCommands.end()) return it->second(args);
  std::cerr << "nasfake: unknown command '" << command << "'\n\n" << kUsage;
  return nasfake::cli::kExitUsage;
}
