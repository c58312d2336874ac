#include "conformance/runner/adapter_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <nlohmann/json.hpp>
#include <thread>

extern char** environ;

namespace nasfake::conformance {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr size_t kMaxOutput = 1 << 20;  // per stream and case; the rest is dropped
// How long an adapter may take to start and answer `capabilities`.
constexpr std::chrono::seconds kStartTimeout(30);

// A running adapter and this process's ends of its standard streams.
struct Child {
  pid_t pid = -1;
  int in = -1;  // its stdin, a socket (a write to a dead reader is EPIPE, not SIGPIPE); -1: none
  int out = -1;
  int err = -1;
};

void CloseFd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

// Starts `/bin/sh -c '<command> "$@"' nasfake-adapter <args…>` in its own
// process group (so a kill reaches its children too), with this process's
// environment minus NASFAKE_* plus `env`. Its stdin is a socket when
// `with_input`, else /dev/null. nullopt when it cannot be started.
std::optional<Child> Spawn(const std::string& command, const std::vector<std::string>& args,
                           const std::vector<std::string>& env, bool with_input) {
  int out[2], err[2], in[2] = {-1, -1};
  if (pipe2(out, O_CLOEXEC) != 0) return std::nullopt;
  if (pipe2(err, O_CLOEXEC) != 0) {
    close(out[0]);
    close(out[1]);
    return std::nullopt;
  }
  if (with_input && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) != 0) {
    for (int fd : {out[0], out[1], err[0], err[1]}) close(fd);
    return std::nullopt;
  }
  std::vector<std::string> argv_text = {"/bin/sh", "-c", command + " \"$@\"", "nasfake-adapter"};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<std::string> env_text;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::string_view(*e).rfind("NASFAKE_", 0) != 0) env_text.emplace_back(*e);
  }
  env_text.insert(env_text.end(), env.begin(), env.end());
  std::vector<char*> argv, envp;
  for (auto& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : env_text) envp.push_back(e.data());
  envp.push_back(nullptr);

  Child child;
  child.pid = fork();
  if (child.pid == 0) {
    int input = with_input ? in[1] : open("/dev/null", O_RDONLY);
    dup2(input, STDIN_FILENO);
    dup2(out[1], STDOUT_FILENO);
    dup2(err[1], STDERR_FILENO);
    setpgid(0, 0);
    execve("/bin/sh", argv.data(), envp.data());
    _exit(127);
  }
  close(out[1]);
  close(err[1]);
  if (with_input) close(in[1]);
  if (child.pid < 0) {
    for (int fd : {out[0], err[0], in[0]}) {
      if (fd >= 0) close(fd);
    }
    return std::nullopt;
  }
  child.in = with_input ? in[0] : -1;
  child.out = out[0];
  child.err = err[0];
  return child;
}

void Kill(pid_t pid) {
  kill(-pid, SIGKILL);  // the group, children included
  kill(pid, SIGKILL);   // in case it has not made its group yet
}

// Waits for the child to exit, killing it at `kill_at`. Its exit status as
// ClientResult::exit_code has it (-1 when killed here).
int WaitForExit(pid_t pid, Clock::time_point kill_at) {
  int status = 0;
  while (true) {
    pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0) return -1;
    if (Clock::now() >= kill_at) {
      Kill(pid);
      waitpid(pid, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

enum class ReadEnd {
  kLine,      // `out` holds a complete line (only when asked for one)
  kClosed,    // stdout closed (and stderr too, unless a line was asked for)
  kTimedOut,  // `until` passed
};

// Reads the child's stdout into `out` and stderr into `err` (each kept to
// kMaxOutput) until a line is complete (when `line`), the streams close, or
// `until` passes.
ReadEnd ReadUntil(Child& child, std::string& out, std::string& err, Clock::time_point until,
                  bool line) {
  while (true) {
    if (line && out.find('\n') != std::string::npos) return ReadEnd::kLine;
    if (child.out < 0 && (line || child.err < 0)) return ReadEnd::kClosed;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
    if (left.count() <= 0) return ReadEnd::kTimedOut;
    pollfd fds[2] = {{child.out, POLLIN, 0}, {child.err, POLLIN, 0}};
    if (poll(fds, 2, static_cast<int>(std::min<int64_t>(left.count(), 1000))) < 0) {
      if (errno == EINTR) continue;
      return ReadEnd::kClosed;
    }
    int* streams[2] = {&child.out, &child.err};
    std::string* sinks[2] = {&out, &err};
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buffer[8192];
      ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
      if (n <= 0) {
        CloseFd(*streams[i]);
      } else if (sinks[i]->size() < kMaxOutput) {
        sinks[i]->append(buffer, static_cast<size_t>(n));
      }
    }
  }
}

// Appends what `fd` has to give right now to `sink`.
void ReadAvailable(int fd, std::string& sink) {
  pollfd p = {fd, POLLIN, 0};
  char buffer[8192];
  while (fd >= 0 && poll(&p, 1, 0) > 0 && (p.revents & POLLIN)) {
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n <= 0) return;
    if (sink.size() < kMaxOutput) sink.append(buffer, static_cast<size_t>(n));
  }
}

std::chrono::milliseconds Since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
}

// The strings of `document[key]`; nullopt when it is not an array of strings.
std::optional<std::set<std::string>> Strings(const json& document, const char* key) {
  const json& list = document[key];
  if (!list.is_array()) return std::nullopt;
  std::set<std::string> strings;
  for (const auto& item : list) {
    if (!item.is_string()) return std::nullopt;
    strings.insert(item.get<std::string>());
  }
  return strings;
}

// What an answer to `capabilities` declares: an object with "operations",
// "transports" or both, each an array of strings; anything else declares
// nothing.
AdapterCapabilities Declared(const std::string& answer) {
  json document = json::parse(answer, nullptr, false);
  const bool has_operations = document.is_object() && document.contains("operations");
  const bool has_transports = document.is_object() && document.contains("transports");
  if (!has_operations && !has_transports) return {};
  auto operations = has_operations ? Strings(document, "operations") : std::nullopt;
  auto transports = has_transports ? Strings(document, "transports") : std::nullopt;
  if ((has_operations && !operations) || (has_transports && !transports)) return {};
  AdapterCapabilities declared;
  declared.operations = operations;
  if (transports) {
    declared.transports.clear();
    for (const auto& name : *transports) {
      if (auto transport = api::TransportFromName(name)) declared.transports.insert(*transport);
    }
  }
  return declared;
}

}  // namespace

// One `<command> persistent` process. Not thread-safe: one case at a time.
class AdapterProcess::Persistent {
 public:
  // Starts one and waits for its answer to `capabilities` (its sign of life,
  // so start-up is not charged to a case). nullptr, with why in `problem`,
  // when it does not start or answer.
  static std::unique_ptr<Persistent> Start(const std::string& command,
                                           std::chrono::milliseconds grace, std::string& answer,
                                           std::string& problem) {
    auto child = Spawn(command, {"persistent"}, {}, true);
    if (!child) {
      problem = "cannot start the adapter";
      return nullptr;
    }
    auto process = std::unique_ptr<Persistent>(new Persistent(*child, grace));
    ClientResult first =
        process->Call(json{{"operation", "capabilities"}}.dump(), Clock::now() + kStartTimeout);
    if (!process->reusable_) {
      problem = "the persistent adapter's answer to its first request (capabilities) is ";
      if (first.exit_code == -1) {
        problem += "missing after " + std::to_string(kStartTimeout.count()) + " s";
      } else if (process->child_.pid < 0) {
        problem += "missing: it exited with status " + std::to_string(first.exit_code);
      } else {
        problem += "not one JSON object on one line: " + first.stdout_text;
      }
      if (!first.stderr_text.empty()) problem += "; its stderr: " + first.stderr_text;
      return nullptr;
    }
    answer = first.stdout_text;
    return process;
  }

  ~Persistent() {
    // EOF on its stdin asks it to exit; closing the rest means a write
    // to them cannot block it.
    CloseFd(child_.in);
    CloseFd(child_.out);
    CloseFd(child_.err);
    if (child_.pid > 0) WaitForExit(child_.pid, Clock::now() + grace_);
  }

  // Sends one request line and reads the answer line, killing the process
  // at `kill_at`. Afterwards reusable() says whether it can take another.
  ClientResult Call(const std::string& request, Clock::time_point kill_at) {
    ClientResult result;
    std::string discarded;  // what it wrote to stderr between requests
    ReadAvailable(child_.err, discarded);
    const auto started = Clock::now();
    const std::string line = request + "\n";
    for (size_t sent = 0; sent < line.size();) {
      ssize_t n = send(child_.in, line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) break;  // it is gone: its exit status tells
      sent += static_cast<size_t>(n);
    }
    ReadEnd end = ReadUntil(child_, out_, result.stderr_text, kill_at, /*line=*/true);
    result.elapsed = Since(started);
    result.finished = std::chrono::system_clock::now();
    if (end == ReadEnd::kLine) {
      size_t newline = out_.find('\n');
      result.stdout_text = out_.substr(0, newline);
      out_.erase(0, newline + 1);
      ReadAvailable(child_.err, result.stderr_text);
      json answer = json::parse(result.stdout_text, nullptr, false);
      result.exit_code = answer.is_object() && answer.contains("error") ? 1 : 0;
      // More than one line per request breaks the protocol: start afresh.
      reusable_ = out_.empty() && answer.is_object();
      return result;
    }
    reusable_ = false;
    result.stdout_text = std::move(out_);
    if (end == ReadEnd::kTimedOut) {
      Kill(child_.pid);
      WaitForExit(child_.pid, Clock::now() + grace_);
      result.exit_code = -1;
    } else {
      result.exit_code = WaitForExit(child_.pid, kill_at);
    }
    child_.pid = -1;
    return result;
  }

  bool reusable() const { return reusable_; }

 private:
  Persistent(Child child, std::chrono::milliseconds grace) : child_(child), grace_(grace) {}

  Child child_;
  const std::chrono::milliseconds grace_;
  std::string out_;  // stdout read but not yet answered
  bool reusable_ = true;
};

AdapterProcess::AdapterProcess(std::string command, Options options)
    : command_(std::move(command)), options_(options) {}

AdapterProcess::~AdapterProcess() = default;

const AdapterCapabilities& AdapterProcess::Capabilities() {
  std::call_once(capabilities_once_, [this] {
    std::string answer;
    if (options_.persistent) {
      std::string problem;
      auto process = Persistent::Start(command_, options_.grace, answer, problem);
      if (!process) return;  // the first case reports the problem
      std::lock_guard lock(idle_mu_);
      idle_.push_back(std::move(process));
    } else {
      auto child = Spawn(command_, {"capabilities"}, {}, false);
      if (!child) return;
      std::string ignored;
      ReadEnd end = ReadUntil(*child, answer, ignored, Clock::now() + kStartTimeout, false);
      CloseFd(child->out);
      CloseFd(child->err);
      if (end == ReadEnd::kTimedOut) Kill(child->pid);
      if (WaitForExit(child->pid, Clock::now() + options_.grace) != 0) return;
    }
    capabilities_ = Declared(answer);
  });
  return capabilities_;
}

bool AdapterProcess::Supports(const std::string& operation) {
  const auto& declared = Capabilities().operations;
  return !declared || declared->count(operation) > 0;
}

bool AdapterProcess::SupportsTransport(api::Transport transport) {
  return Capabilities().transports.count(transport) > 0;
}

ClientResult AdapterProcess::Run(const std::string& operation, const std::vector<std::string>& args,
                                 const ClientEnv& env) {
  return options_.persistent ? RunPersistent(operation, args, env) : RunOnce(operation, args, env);
}

ClientResult AdapterProcess::RunOnce(const std::string& operation,
                                     const std::vector<std::string>& args, const ClientEnv& env) {
  ClientResult result;
  std::vector<std::string> argv = {operation};
  argv.insert(argv.end(), args.begin(), args.end());
  const auto started = Clock::now();
  auto child = Spawn(
      command_, argv,
      {"NASFAKE_ENDPOINT=" + env.endpoint, "NASFAKE_GRPC_ENDPOINT=" + env.grpc_endpoint,
       "NASFAKE_TRANSPORT=" + std::string(api::TransportName(env.transport)),
       "NASFAKE_TOKEN=" + env.token, "NASFAKE_DEADLINE_MS=" + std::to_string(env.deadline.count())},
      false);
  if (!child) {
    result.exit_code = 127;
    result.stderr_text = "nasfake: cannot start the adapter";
    return result;
  }
  const auto kill_at = started + env.deadline + options_.grace;
  ReadEnd end = ReadUntil(*child, result.stdout_text, result.stderr_text, kill_at, false);
  CloseFd(child->out);
  CloseFd(child->err);
  if (end == ReadEnd::kTimedOut) Kill(child->pid);
  result.exit_code = WaitForExit(child->pid, kill_at);
  if (end == ReadEnd::kTimedOut) result.exit_code = -1;
  result.elapsed = Since(started);
  result.finished = std::chrono::system_clock::now();
  return result;
}

ClientResult AdapterProcess::RunPersistent(const std::string& operation,
                                           const std::vector<std::string>& args,
                                           const ClientEnv& env) {
  std::unique_ptr<Persistent> process;
  {
    std::lock_guard lock(idle_mu_);
    if (!idle_.empty()) {
      process = std::move(idle_.back());
      idle_.pop_back();
    }
  }
  if (!process) {
    std::string answer, problem;
    process = Persistent::Start(command_, options_.grace, answer, problem);
    if (!process) {
      ClientResult result;
      result.exit_code = 127;
      result.stderr_text = "nasfake: " + problem;
      return result;
    }
  }
  json request = {{"operation", operation},
                  {"args", args},
                  {"endpoint", env.endpoint},
                  {"grpcEndpoint", env.grpc_endpoint},
                  {"transport", api::TransportName(env.transport)},
                  {"token", env.token},
                  {"deadlineMs", env.deadline.count()}};
  ClientResult result = process->Call(request.dump(-1, ' ', false, json::error_handler_t::replace),
                                      Clock::now() + env.deadline + options_.grace);
  if (process->reusable()) {
    std::lock_guard lock(idle_mu_);
    idle_.push_back(std::move(process));
  }
  return result;
}

}  // namespace nasfake::conformance
