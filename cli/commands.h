// The subcommands of `nasfake`. Each takes the arguments after its name and
// returns the process exit code.
#pragma once

#include <string>
#include <vector>

namespace nasfake::cli {

// Exit codes shared by every subcommand.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;    // the command ran and found a failure
inline constexpr int kExitUsage = 2;      // bad flags or arguments
inline constexpr int kExitCannotRun = 3;  // e.g. the port cannot be bound, a seed file is bad

int Serve(const std::vector<std::string>& args);
int Conformance(const std::vector<std::string>& args);
int Record(const std::vector<std::string>& args);
int Replay(const std::vector<std::string>& args);
int Scenario(const std::vector<std::string>& args);

// Prints "nasfake <version>" on stdout (every command's --version); returns kExitOk.
int PrintVersion();

}  // namespace nasfake::cli
