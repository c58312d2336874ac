// What the benchmark programs share besides the fixture (bench_common.h): a
// server under test in a child process (possibly under valgrind), medians and
// fixed-point text for the Markdown they print.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_common.h"

extern char** environ;

namespace nasfake::bench {

template <typename T>
T Median(std::vector<T> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? T{} : v[v.size() / 2];
}

inline std::string Fixed(double v, int digits) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(digits) << v;
  return out.str();
}

// A row of the table of targets a benchmark program ends with.
struct TargetRow {
  std::string target, measured, baseline, verdict;
};

// Prints `rows` as a Markdown table under `heading` ("## Performance targets"),
// the baseline's column named `baseline_column`.
inline void PrintTargetTable(const std::string& heading, const std::string& baseline_column,
                             const std::vector<TargetRow>& rows) {
  std::cout << "\n"
            << heading << "\n\n| target | measured | " << baseline_column
            << " | verdict |\n|---|---:|---:|---|\n";
  for (const TargetRow& row : rows) {
    std::cout << "| " << row.target << " | " << row.measured << " | " << row.baseline << " | "
              << row.verdict << " |\n";
  }
}

// --- Child processes --------------------------------------------------------

struct Child {
  pid_t pid = -1;
  int in = -1;   // its stdin (we write)
  int out = -1;  // its stdout (we read)
};

// Runs `argv` (PATH searched) with its stdin and stdout on pipes to us and
// its stderr on /dev/null.
inline Child Spawn(const std::vector<std::string>& argv) {
  int in_pipe[2], out_pipe[2];
  if (::pipe2(in_pipe, O_CLOEXEC) != 0 || ::pipe2(out_pipe, O_CLOEXEC) != 0) Die("pipe");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_pipe[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  Child child;
  if (posix_spawnp(&child.pid, args[0], &actions, nullptr, args.data(), environ) != 0) {
    Die("cannot run " + argv[0]);
  }
  posix_spawn_file_actions_destroy(&actions);
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  child.in = in_pipe[1];
  child.out = out_pipe[0];
  return child;
}

// Reads stdout of `child` until a line starting with `prefix`; returns the
// rest of it, or "" on timeout or EOF.
inline std::string ReadLine(const Child& child, const std::string& prefix, int timeout_ms) {
  using Clock = std::chrono::steady_clock;
  std::string text;
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    size_t pos = 0;
    while (true) {
      size_t nl = text.find('\n', pos);
      if (nl == std::string::npos) break;
      if (text.compare(pos, prefix.size(), prefix) == 0) {
        return text.substr(pos + prefix.size(), nl - pos - prefix.size());
      }
      pos = nl + 1;
    }
    int left = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count());
    if (left <= 0) return "";
    pollfd p{child.out, POLLIN, 0};
    if (::poll(&p, 1, left) <= 0) return "";
    char chunk[4096];
    ssize_t n = ::read(child.out, chunk, sizeof chunk);
    if (n <= 0) return "";
    text.append(chunk, static_cast<size_t>(n));
  }
}

// Waits up to `timeout_ms` for `child` to exit (then kills it); closes its
// pipes. Returns its wait status.
inline int Wait(Child& child, int timeout_ms) {
  using Clock = std::chrono::steady_clock;
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  int status = 0;
  while (::waitpid(child.pid, &status, WNOHANG) == 0) {
    if (Clock::now() > deadline) {
      ::kill(child.pid, SIGKILL);
      ::waitpid(child.pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  if (child.in >= 0) ::close(child.in);
  if (child.out >= 0) ::close(child.out);
  child = Child{};
  return status;
}

// The path of executable `name` on PATH; "" when there is none.
inline std::string FindInPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    std::string candidate = dir + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

}  // namespace nasfake::bench
