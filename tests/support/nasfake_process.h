// The `nasfake` command as a child process, as a client in another language
// would run it: its first stdout line names the endpoint once it serves.
// Header-only: NASFAKE_BINARY (the binary's path) is defined for the test
// target that includes this.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace nasfake::testing {

class NasfakeProcess {
 public:
  // Runs `binary args…` (args[0] is the subcommand) with stdout and stderr on
  // pipes; stderr is collected in the background (see Stderr). The child gets
  // no other descriptor of this process, and default signal handling.
  explicit NasfakeProcess(std::vector<std::string> args, std::string binary = NASFAKE_BINARY) {
    std::vector<char*> argv;  // built before spawning: nothing allocates in the child
    argv.push_back(binary.data());
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    int out[2], err[2];
    if (pipe2(out, O_CLOEXEC) != 0) return;
    if (pipe2(err, O_CLOEXEC) != 0) {
      close(out[0]);
      close(out[1]);
      return;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
    posix_spawn_file_actions_addclosefrom_np(&actions, STDERR_FILENO + 1);
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    for (int s : {SIGINT, SIGTERM, SIGPIPE}) sigaddset(&defaults, s);
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setsigdefault(&attributes, &defaults);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    if (posix_spawn(&pid_, binary.c_str(), &actions, &attributes, argv.data(), environ) != 0) {
      pid_ = -1;
    }
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    close(out[1]);
    close(err[1]);
    stdout_ = fdopen(out[0], "r");
    stderr_reader_ = std::thread([this, fd = err[0]] {
      char buffer[4096];
      for (ssize_t n; (n = read(fd, buffer, sizeof buffer)) != 0;) {
        if (n < 0) {
          if (errno == EINTR) continue;
          break;
        }
        std::lock_guard lock(mu_);
        stderr_text_.append(buffer, static_cast<size_t>(n));
      }
      close(fd);
    });
  }

  ~NasfakeProcess() {
    if (pid_ > 0 && !waited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (stderr_reader_.joinable()) stderr_reader_.join();
    if (stdout_) fclose(stdout_);
  }
  NasfakeProcess(const NasfakeProcess&) = delete;
  NasfakeProcess& operator=(const NasfakeProcess&) = delete;

  // The first stdout line without its newline; "" when the child exits first.
  std::string FirstLine() {
    char buffer[512] = {0};
    if (!stdout_ || !fgets(buffer, sizeof buffer, stdout_)) return "";
    std::string line(buffer);
    if (!line.empty() && line.back() == '\n') line.pop_back();
    return line;
  }

  int SignalAndWait(int signal_number) {
    if (pid_ > 0 && !waited_) kill(pid_, signal_number);
    return Wait();
  }

  // Waits for the child to exit; its exit code, -1 when a signal ended it.
  // Once Wait returns, Stderr() is complete.
  int Wait() {
    if (pid_ <= 0) return -1;
    if (!waited_) {
      while (waitpid(pid_, &status_, 0) < 0 && errno == EINTR) {
      }
      waited_ = true;
      if (stderr_reader_.joinable()) stderr_reader_.join();
    }
    return WIFEXITED(status_) ? WEXITSTATUS(status_) : -1;
  }

  // What the child wrote to stderr so far.
  std::string Stderr() const {
    std::lock_guard lock(mu_);
    return stderr_text_;
  }

  // The port of a "NASFAKE_ENDPOINT=http://HOST:PORT" line; 0 if there is none.
  static int PortOf(const std::string& endpoint_line) {
    size_t colon = endpoint_line.rfind(':');
    if (endpoint_line.rfind("NASFAKE_ENDPOINT=", 0) != 0 || colon == std::string::npos) return 0;
    return std::atoi(endpoint_line.c_str() + colon + 1);
  }

 private:
  pid_t pid_ = -1;
  int status_ = 0;
  bool waited_ = false;
  FILE* stdout_ = nullptr;
  mutable std::mutex mu_;
  std::string stderr_text_;
  std::thread stderr_reader_;
};

}  // namespace nasfake::testing
