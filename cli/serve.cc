// nasfake serve: the fake on a TCP port for clients in any language.
#include <unistd.h>

#include <charconv>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/flags.h"
#include "cli/tls_flags.h"
#include "fake/server/fake_server.h"
#include "fake/server/request_log.h"
#include "fake/version.h"
#include "scenarios/scenario_json.h"

namespace nasfake::cli {
namespace {

constexpr char kServeUsage[] =
    "Usage: nasfake serve [flags]\n"
    "\n"
    "Serves the NasJobs API (v1) on HTTP and on gRPC (plaintext HTTP/2) until SIGINT\n"
    "or SIGTERM. The first line on stdout is 'NASFAKE_ENDPOINT=http://HOST:PORT', the\n"
    "second 'NASFAKE_GRPC_ENDPOINT=HOST:PORT' (unless --no-grpc), for scripts to read;\n"
    "with --tls the endpoint is https:// and 'NASFAKE_CA_FILE=PATH' follows. On a\n"
    "terminal a banner on stderr says the same for people.\n"
    "\n"
    "Flags:\n"
    "  --host ADDR          address to listen on (default 127.0.0.1; anything not\n"
    "                       loopback must be asked for explicitly with this flag)\n"
    "  --port N             port (default 0: any free port)\n"
    "  --grpc-port N        gRPC port (default 0: any free port)\n"
    "  --no-grpc            do not serve gRPC\n";
// After the TLS flags (kTlsFlagsUsage).
constexpr char kServeUsageRest[] =
    "  --seed PATH          seed jobs from a fixture file or directory (repeatable)\n"
    "  --scenario FILE      apply a scenario file (see README \"Scenario files\")\n"
    "  --require-auth       answer 401 to requests without 'Authorization: Bearer …'\n"
    "  --no-control-api     do not serve the control API under /__nasfake/\n"
    "  --control-token T    require 'x-nasfake-control-token: T' on control API calls\n"
    "                       (the control API is off beyond loopback unless a token is set)\n"
    "  --clock KIND         real (default: jobs move on as time passes) or virtual\n"
    "                       (time stands still until the control API advances it;\n"
    "                       every test id gets a clock of its own)\n"
    "  --id-seed N          seed of the IDs the fake assigns (default 1)\n"
    "  --queued-for D       how long a new job stays QUEUED (default 0.5s)\n"
    "  --pending-for D      how long it stays PENDING (default 1s)\n"
    "  --running-for D      how long it runs before it ends (default 14400s)\n"
    "  --cancelling-for D   how long cancellation takes (default 1s)\n"
    "  --outcome S          how a job that is not cancelled ends: succeeded|failed\n"
    "                       (default succeeded)\n"
    "  --log FORMAT         one line per request on stderr (method, target, status,\n"
    "                       action, matched rule, test id, time): off (default),\n"
    "                       text, or json (JSON lines)\n"
    "  -h, --help           print this help\n"
    "  --version            print the version\n"
    "Durations are written as the API writes them: '1.5s', '3600s'.\n"
    "\n"
    "Exit status: 0 after a clean stop; 2 for bad flags; 3 when a seed, scenario or\n"
    "TLS file cannot be loaded or the address cannot be bound.\n";

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
  std::string log_format = "off";
  TlsFlags tls_flags;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& flag = args[i];
    std::string tls_error;
    if (tls_flags.Take(args, i, tls_error)) {
      if (!tls_error.empty()) return UsageError(tls_error);
      continue;
    }
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
    if (flag == "--version") return PrintVersion();
    if (flag == "--help" || flag == "-h") {
      std::cout << kServeUsage << kTlsFlagsUsage << kServeUsageRest;
      return kExitOk;
    } else if (flag == "--host") {
      auto v = value();
      if (!v || v->empty()) return UsageError("--host needs an address");
      options.transport.host = *v;
    } else if (flag == "--port") {
      auto v = value();
      auto port = v ? ParsePort(*v) : std::nullopt;
      if (!port) return UsageError("--port needs a number from 0 (any free port) to 65535");
      options.transport.port = *port;
    } else if (flag == "--grpc-port") {
      auto v = value();
      auto port = v ? ParsePort(*v) : std::nullopt;
      if (!port) return UsageError("--grpc-port needs a number from 0 (any free port) to 65535");
      options.grpc_transport.port = *port;
    } else if (flag == "--no-grpc") {
      options.grpc = false;
    } else if (flag == "--clock") {
      auto v = value();
      if (v == "real") {
        options.fake.clock = std::make_shared<store::RealClock>();
      } else if (v == "virtual") {
        options.fake.clock = nullptr;  // each tenant gets a VirtualClock of its own
      } else {
        return UsageError("--clock is real or virtual");
      }
    } else if (flag == "--log") {
      auto v = value();
      if (v != "off" && v != "text" && v != "json") return UsageError("--log is off, text or json");
      log_format = *v;
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

  if (std::string error = tls_flags.Check(); !error.empty()) return UsageError(error);
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

  std::unique_ptr<CaFile> ca_file;  // removed when serve returns
  if (tls_flags.tls) {
    auto setup = SetUpTls(tls_flags, options.transport.host);
    if (!setup.ok()) {
      std::cerr << "nasfake serve: " << setup.status().message() << "\n";
      return kExitCannotRun;
    }
    options.tls = true;
    options.tls_cert_pem = std::move(setup->identity.cert_pem);
    options.tls_key_pem = std::move(setup->identity.key_pem);
    ca_file = std::move(setup->ca_file);
  }

  if (log_format != "off") {
    auto format = log_format == "json" ? server::RequestLogJson : server::RequestLogText;
    auto log_mutex = std::make_shared<std::mutex>();
    options.request_log = [format, log_mutex](const server::RequestLogRecord& record) {
      std::string line = format(record) + "\n";
      std::lock_guard lock(*log_mutex);
      std::cerr << line << std::flush;
    };
  }

  sigset_t stop_signals = BlockStopSignals();  // before any thread starts
  auto server = FakeServer::Start(options);
  if (!server.ok()) {
    std::cerr << "nasfake serve: " << ListenError(server.status().message()) << "\n";
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
  if (options.grpc) {
    std::cout << "NASFAKE_GRPC_ENDPOINT=" << (*server)->grpc_endpoint() << std::endl;
  }
  if (ca_file) std::cout << "NASFAKE_CA_FILE=" << ca_file->path().string() << std::endl;
  if (isatty(STDERR_FILENO) != 0) {
    const std::string& endpoint = (*server)->endpoint();
    std::cerr << "nasfake " << NASFAKE_VERSION << ": the NasJobs API at " << endpoint << "/v1/\n"
              << "  " << (*server)->jobs().size() << " seeded jobs; control API "
              << (options.control_api ? endpoint + "/__nasfake/v1/" : std::string("off"))
              << "; request log " << log_format << "\n"
              << (options.tls ? "  gRPC (HTTP/2 over TLS): " : "  gRPC (plaintext HTTP/2): ")
              << (options.grpc ? (*server)->grpc_endpoint() : std::string("off")) << "\n"
              << "  try: curl "
              << (ca_file ? "--cacert " + ca_file->path().string() + " " : std::string())
              << endpoint << "/v1/projects/my-project/locations/us-central1/nasJobs\n"
              << "  stop with Ctrl-C\n";
  }
  if (!IsLoopback(options.transport.host)) {
    std::cerr << "nasfake serve: WARNING: listening on " << options.transport.host
              << ", beyond loopback: anyone who can reach it can use the fake"
              << (options.control_api ? " (control API on, token required)" : " (control API off)")
              << ".\n";
  }
  const char* received = WaitForStopSignal(stop_signals);
  (*server)->Stop();
  std::cerr << "nasfake serve: stopped (" << received << ")\n";
  return kExitOk;
}

}  // namespace nasfake::cli
