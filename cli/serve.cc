// nasfake serve: the fake on a TCP port for clients in any language.
#include <signal.h>
#include <unistd.h>

#include <charconv>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/flags.h"
#include "fake/server/fake_server.h"
#include "scenarios/scenario_json.h"

namespace nasfake::cli {
namespace {

constexpr char kServeUsage[] =
    "Usage: nasfake serve [flags]\n"
    "\n"
    "Serves the NasJobs API (v1) on HTTP until SIGINT or SIGTERM. The first line on\n"
    "stdout is 'NASFAKE_ENDPOINT=http://HOST:PORT', for scripts to read.\n"
    "\n"
    "Flags:\n"
    "  --host ADDR          address to listen on (default 127.0.0.1; anything not\n"
    "                       loopback must be asked for explicitly with this flag)\n"
    "  --port N             port (default 0: any free port)\n"
    "  --seed PATH          seed jobs from a fixture file or directory (repeatable)\n"
    "  --scenario FILE      apply a scenario file (see README \"Scenario files\")\n"
    "  --require-auth       answer 401 to requests without 'Authorization: Bearer …'\n"
    "  --no-control-api     do not serve the control API under /__nasfake/\n"
    "  --control-token T    require 'x-nasfake-control-token: T' on control API calls\n"
    "                       (the control API is off beyond loopback unless a token is set)\n"
    "  --id-seed N          seed of the IDs the fake assigns (default 1)\n"
    "  --queued-for D       how long a new job stays QUEUED (default 0.5s)\n"
    "  --pending-for D      how long it stays PENDING (default 1s)\n"
    "  --running-for D      how long it runs before it ends (default 14400s)\n"
    "  --cancelling-for D   how long cancellation takes (default 1s)\n"
    "  --outcome S          how a job that is not cancelled ends: succeeded|failed\n"
    "                       (default succeeded)\n"
    "Durations are written as the API writes them: '1.5s', '3600s'.\n";

int UsageError(const std::string& message) {
  std::cerr << "nasfake serve: " << message << "\nRun 'nasfake serve --help' for the flags.\n";
  return kExitUsage;
}

}  // namespace

int Serve(const std::vector<std::string>& args) {
  FakeServerOptions options;
  options.fake.clock = std::make_shared<store::RealClock>();
  std::vector<std::string> seeds;
  std::vector<std::string> scenario_files;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& flag = args[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= args.size()) return std::nullopt;
      return args[++i];
    };
    auto duration = [&](std::optional<model::Duration>& out) -> bool {
      auto text = value();
      auto parsed = text ? model::ParseDuration(*text) : std::nullopt;
      if (!parsed || parsed->count() < 0) return false;
      out = *parsed;
      return true;
    };
    auto& lifecycle = options.fake.lifecycle;
    if (flag == "--help" || flag == "-h") {
      std::cout << kServeUsage;
      return kExitOk;
    } else if (flag == "--host") {
      auto v = value();
      if (!v || v->empty()) return UsageError("--host needs an address");
      options.transport.host = *v;
    } else if (flag == "--port") {
      auto v = value();
      int port = -1;
      if (v) std::from_chars(v->data(), v->data() + v->size(), port);
      if (port < 0 || port > 65535) return UsageError("--port needs a number from 0 to 65535");
      options.transport.port = port;
    } else if (flag == "--seed") {
      auto v = value();
      if (!v) return UsageError("--seed needs a file or directory");
      seeds.push_back(*v);
    } else if (flag == "--scenario") {
      auto v = value();
      if (!v) return UsageError("--scenario needs a file");
      scenario_files.push_back(*v);
    } else if (flag == "--no-control-api") {
      options.control_api = false;
    } else if (flag == "--control-token") {
      auto v = value();
      if (!v || v->empty()) return UsageError("--control-token needs a value");
      options.control_token = *v;
    } else if (flag == "--require-auth") {
      options.fake.require_auth = true;
    } else if (flag == "--id-seed") {
      auto v = value();
      uint64_t seed = 0;
      if (!v || std::from_chars(v->data(), v->data() + v->size(), seed).ec != std::errc{}) {
        return UsageError("--id-seed needs a whole number");
      }
      options.fake.seed = seed;
    } else if (flag == "--queued-for") {
      if (!duration(lifecycle.queued_for)) return UsageError("--queued-for needs a duration");
    } else if (flag == "--pending-for") {
      if (!duration(lifecycle.pending_for)) return UsageError("--pending-for needs a duration");
    } else if (flag == "--running-for") {
      if (!duration(lifecycle.running_for)) return UsageError("--running-for needs a duration");
    } else if (flag == "--cancelling-for") {
      if (!duration(lifecycle.cancelling_for)) {
        return UsageError("--cancelling-for needs a duration");
      }
    } else if (flag == "--outcome") {
      auto v = value();
      if (v == "succeeded") {
        lifecycle.outcome = model::JobState::kSucceeded;
      } else if (v == "failed") {
        lifecycle.outcome = model::JobState::kFailed;
      } else {
        return UsageError("--outcome is succeeded or failed");
      }
    } else {
      return UsageError("unknown flag '" + flag + "'");
    }
  }

  if (!IsLoopback(options.transport.host) && options.control_token.empty()) {
    options.control_api = false;  // nobody beyond this machine may script the fake
  }
  std::vector<scenarios::Scenario> loaded;
  for (const auto& file : scenario_files) {
    auto scenario = scenarios::LoadScenarioFile(file);
    if (!scenario.ok()) {
      std::cerr << "nasfake serve: " << scenario.status().message() << "\n";
      return kExitCannotRun;
    }
    loaded.push_back(std::move(*scenario));
  }

  // Block the stop signals before any thread starts, so that every thread
  // inherits the mask and only sigwait below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto server = FakeServer::Start(options);
  if (!server.ok()) {
    std::cerr << "nasfake serve: " << server.status().message() << "\n";
    return kExitCannotRun;
  }
  for (const auto& seed : seeds) {
    if (Status s = (*server)->SeedFromPath(seed); !s.ok()) {
      std::cerr << "nasfake serve: cannot seed: " << s.message() << "\n";
      return kExitCannotRun;
    }
  }
  for (const auto& scenario : loaded) {
    if (Status s = (*server)->LoadScenario(scenario); !s.ok()) {
      std::cerr << "nasfake serve: cannot apply scenario: " << s.message() << "\n";
      return kExitCannotRun;
    }
    std::cerr << "nasfake serve: scenario \"" << scenario.name << "\" applied ("
              << scenario.rules.size() << " rules)";
    if (scenario.random_faults) {
      std::cerr << "; random fault seed " << scenario.random_faults->seed;
    }
    std::cerr << "\n";
  }
  std::cout << "NASFAKE_ENDPOINT=" << (*server)->endpoint() << std::endl;
  std::cerr << "nasfake " << NASFAKE_VERSION << " serving the NasJobs API at "
            << (*server)->endpoint() << "/v1/ (" << (*server)->jobs().size()
            << " seeded jobs). Stop with Ctrl-C.\n";
  if (!IsLoopback(options.transport.host)) {
    std::cerr << "nasfake serve: WARNING: listening on " << options.transport.host
              << ", beyond loopback: anyone who can reach it can use the fake"
              << (options.control_api ? " (control API on, token required)" : " (control API off)")
              << ".\n";
  }
  int received = 0;
  sigwait(&stop_signals, &received);
  (*server)->Stop();
  std::cerr << "nasfake serve: stopped (" << (received == SIGINT ? "SIGINT" : "SIGTERM") << ")\n";
  return kExitOk;
}

}  // namespace nasfake::cli
