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
#include "cli/flag_parser.h"
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

}  // namespace

int Serve(const std::vector<std::string>& args) {
  FakeServerOptions options;
  options.fake.clock = std::make_shared<store::RealClock>();
  std::vector<std::string> seeds;
  std::vector<std::string> scenario_files;
  std::string log_format = "off";
  std::string clock = "real";
  std::string outcome = "succeeded";
  auto& lifecycle = options.fake.lifecycle;
  TlsFlags tls_flags;
  FlagParser flags("serve", std::string(kServeUsage) + kTlsFlagsUsage + kServeUsageRest);
  tls_flags.AddTo(flags);
  flags.Flag("--host", TextValue(&options.transport.host, "an address"))
      .Flag("--port", PortValue(&options.transport.port))
      .Flag("--grpc-port", PortValue(&options.grpc_transport.port))
      .Switch("--no-grpc", [&] { options.grpc = false; })
      .Flag("--clock", ChoiceValue(&clock, {"real", "virtual"}))
      .Flag("--log", ChoiceValue(&log_format, {"off", "text", "json"}))
      .Flag("--seed", AppendValue(&seeds, "a file or directory"))
      .Flag("--scenario", AppendValue(&scenario_files, "a file"))
      .Switch("--no-control-api", [&] { options.control_api = false; })
      .Flag("--control-token", TextValue(&options.control_token, "a value"))
      .Switch("--require-auth", [&] { options.fake.require_auth = true; })
      .Flag("--id-seed",
            [&](const std::string& v) -> std::string {
              auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), options.fake.seed);
              if (ec != std::errc{} || end != v.data() + v.size()) {
                return "expected a whole number, got \"" + v + "\"";
              }
              return "";
            })
      .Flag("--queued-for", DurationValue(&lifecycle.queued_for))
      .Flag("--pending-for", DurationValue(&lifecycle.pending_for))
      .Flag("--running-for", DurationValue(&lifecycle.running_for))
      .Flag("--cancelling-for", DurationValue(&lifecycle.cancelling_for))
      .Flag("--outcome", ChoiceValue(&outcome, {"succeeded", "failed"}));
  if (auto done = flags.Parse(args)) return *done;
  if (clock == "virtual") options.fake.clock = nullptr;  // each tenant gets a VirtualClock
  lifecycle.outcome = outcome == "failed" ? model::JobState::kFailed : model::JobState::kSucceeded;

  if (std::string error = tls_flags.Check(); !error.empty()) return flags.UsageError(error);
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
              << Count(scenario.rules.size(), "rule") << ")";
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
              << "  " << Count((*server)->jobs().size(), "seeded job") << "; control API "
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
