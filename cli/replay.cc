// nasfake replay: serves a recorded transcript's answers again, or turns the
// transcript into a scenario file.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/flags.h"
#include "cli/tls_flags.h"
#include "fake/server/http_transport.h"
#include "fake/server/journaled_service.h"
#include "fake/tls/server_context.h"
#include "fake/version.h"
#include "scenarios/scenario_json.h"
#include "scenarios/transcript.h"
#include "scenarios/transcript_scenario.h"

namespace nasfake::cli {
namespace {

constexpr char kReplayUsage[] =
    "Usage: nasfake replay TRANSCRIPT [flags]\n"
    "       nasfake replay TRANSCRIPT --to-scenario OUT.json\n"
    "\n"
    "Serves the answers recorded in TRANSCRIPT (written by 'nasfake record', or the\n"
    "control API's GET /__nasfake/v1/transcript) on HTTP until SIGINT or SIGTERM. The\n"
    "first line on stdout is 'NASFAKE_ENDPOINT=http://HOST:PORT', for scripts to read;\n"
    "with --tls the endpoint is https:// and 'NASFAKE_CA_FILE=PATH' follows.\n"
    "\n"
    "A request is matched by its method and target, ignoring the query parameters\n"
    "$alt, alt, prettyPrint, $prettyPrint, key, access_token, quotaUser and fields;\n"
    "the k-th request of a kind gets the k-th answer recorded for that kind, so\n"
    "repeated polls replay the recorded sequence. A request with no recorded answer\n"
    "left gets 404 NOT_FOUND.\n"
    "\n"
    "On stop, a report goes to stderr: how many requests were answered, the requests\n"
    "that had no recorded answer, and the exchanges never used.\n"
    "\n"
    "With --to-scenario, nothing is served: the transcript becomes a scenario file\n"
    "(see README \"Scenario files\") with one rule per operation and resource whose\n"
    "answers are the recorded ones in recorded order, for 'nasfake serve --scenario'\n"
    "and tests to use, review and edit. Requests that are not API calls are left\n"
    "out (listed on stderr).\n"
    "\n"
    "Exit status: 0 when every exchange was used and every request had an answer\n"
    "(--to-scenario: when the file was written); 1 otherwise; 2 for bad flags; 3\n"
    "when the transcript or a TLS file cannot be loaded, OUT.json cannot be written\n"
    "or the address cannot be bound.\n"
    "\n"
    "Flags:\n"
    "  --host ADDR          address to listen on (default 127.0.0.1; anything not\n"
    "                       loopback must be asked for explicitly with this flag)\n"
    "  --port N             port (default 0: any free port)\n";
// After the TLS flags (kTlsFlagsUsage).
constexpr char kReplayUsageRest[] =
    "  --to-scenario OUT.json  write the transcript as a scenario file and exit\n"
    "  -h, --help           print this help\n"
    "  --version            print the version\n";

int UsageError(const std::string& message) {
  std::cerr << "nasfake replay: " << message << "\nRun 'nasfake replay --help' for the flags.\n";
  return kExitUsage;
}

// --to-scenario: writes `transcript` as a scenario file named after OUT's stem.
int WriteScenario(const scenarios::Transcript& transcript, const std::string& transcript_path,
                  const std::filesystem::path& out) {
  std::vector<std::string> skipped;
  nlohmann::json document = scenarios::TranscriptToScenarioJson(
      transcript, out.stem().string(),
      "Recorded in " + std::filesystem::path(transcript_path).filename().string() +
          ": each rule answers its requests with the recorded answers, in order, then lets "
          "them through to the fake.",
      &skipped);
  if (auto loaded = scenarios::ScenarioFromJson(document, out.string()); !loaded.ok()) {
    std::cerr << "nasfake replay: " << loaded.status().message() << "\n";  // a bug: never written
    return kExitFailure;
  }
  std::ofstream file(out, std::ios::binary | std::ios::trunc);
  file << document.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  file.close();
  if (!file) {
    std::cerr << "nasfake replay: cannot write " << out.string() << "\n";
    return kExitCannotRun;
  }
  for (const auto& request : skipped) {
    std::cerr << "nasfake replay: left out (not an API call): " << request << "\n";
  }
  size_t rules = document.value("rules", nlohmann::json::array()).size();
  size_t used = transcript.exchanges.size() - skipped.size();
  std::cerr << "nasfake replay: wrote " << out.string() << " (" << rules
            << (rules == 1 ? " rule" : " rules") << " from " << used
            << (used == 1 ? " exchange" : " exchanges") << ")\n";
  return kExitOk;
}

}  // namespace

int Replay(const std::vector<std::string>& args) {
  server::HttpTransport::Options options;
  std::optional<std::string> transcript_path;
  std::optional<std::string> to_scenario;
  bool serving_flags = false;  // --host, --port or a TLS flag
  TlsFlags tls_flags;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& flag = args[i];
    std::string tls_error;
    if (tls_flags.Take(args, i, tls_error)) {
      if (!tls_error.empty()) return UsageError(tls_error);
      serving_flags = true;
      continue;
    }
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= args.size()) return std::nullopt;
      return args[++i];
    };
    if (flag == "--version") return PrintVersion();
    if (flag == "--help" || flag == "-h") {
      std::cout << kReplayUsage << kTlsFlagsUsage << kReplayUsageRest;
      return kExitOk;
    } else if (flag == "--host") {
      auto v = value();
      if (!v || v->empty()) return UsageError("--host needs an address");
      options.host = *v;
      serving_flags = true;
    } else if (flag == "--port") {
      auto v = value();
      auto port = v ? ParsePort(*v) : std::nullopt;
      if (!port) return UsageError("--port needs a number from 0 to 65535");
      options.port = *port;
      serving_flags = true;
    } else if (flag == "--to-scenario") {
      auto v = value();
      if (!v || v->empty()) return UsageError("--to-scenario needs a file path");
      to_scenario = *v;
    } else if (flag.rfind("--", 0) == 0) {
      return UsageError("unknown flag '" + flag + "'");
    } else if (transcript_path) {
      return UsageError("one transcript only (got '" + *transcript_path + "' and '" + flag + "')");
    } else {
      transcript_path = flag;
    }
  }
  if (!transcript_path) return UsageError("which transcript? (nasfake replay TRANSCRIPT)");
  if (std::string error = tls_flags.Check(); !error.empty()) return UsageError(error);
  if (to_scenario && serving_flags) {
    return UsageError("--to-scenario writes a file and serves nothing: no --host, --port or TLS");
  }

  auto transcript = scenarios::LoadTranscriptFile(*transcript_path);
  if (!transcript.ok()) {
    std::cerr << "nasfake replay: " << transcript.status().message() << "\n";
    return kExitCannotRun;
  }
  if (to_scenario) return WriteScenario(*transcript, *transcript_path, *to_scenario);
  size_t recorded = transcript->exchanges.size();
  scenarios::Replayer replayer(std::move(*transcript));

  std::unique_ptr<CaFile> ca_file;  // removed when replay returns
  if (tls_flags.tls) {
    auto setup = SetUpTls(tls_flags, options.host);
    if (!setup.ok()) {
      std::cerr << "nasfake replay: " << setup.status().message() << "\n";
      return kExitCannotRun;
    }
    auto context = tls::ServerContext::Create(setup->identity, "http/1.1");
    if (!context.ok()) {
      std::cerr << "nasfake replay: " << context.status().message() << "\n";
      return kExitCannotRun;
    }
    options.tls = std::move(*context);
    ca_file = std::move(setup->ca_file);
  }

  sigset_t stop_signals = BlockStopSignals();  // before any thread starts
  server::JournaledService service(
      "replay", [&replayer](api::Request&& request) { return replayer.Answer(request); });
  auto transport = server::HttpTransport::Start(
      options, [&service](api::Request&& request) { return service.Handle(std::move(request)); });
  if (!transport.ok()) {
    std::cerr << "nasfake replay: " << ListenError(transport.status().message()) << "\n";
    return kExitCannotRun;
  }
  std::string endpoint = Endpoint((*transport)->host(), (*transport)->port(), tls_flags.tls);
  std::cout << "NASFAKE_ENDPOINT=" << endpoint << std::endl;
  if (ca_file) std::cout << "NASFAKE_CA_FILE=" << ca_file->path().string() << std::endl;
  std::cerr << "nasfake " << NASFAKE_VERSION << " replaying " << recorded << " exchanges of "
            << *transcript_path << " at " << endpoint << ". Stop with Ctrl-C.\n";
  if (!IsLoopback(options.host)) {
    std::cerr << "nasfake replay: WARNING: listening on " << options.host
              << ", beyond loopback: anyone who can reach it can read the transcript's answers.\n";
  }
  const char* signal_name = WaitForStopSignal(stop_signals);
  (*transport)->Stop();

  scenarios::ReplayReport report = replayer.Report();
  std::cerr << "nasfake replay: stopped (" << signal_name << "): " << report.answered
            << " requests answered from the transcript, " << report.unmatched.size()
            << " unmatched, " << report.unused.size() << " of " << recorded
            << " exchanges unused\n";
  for (const auto& request : report.unmatched) std::cerr << "  unmatched: " << request << "\n";
  for (const auto& unused : report.unused) {
    std::cerr << "  unused: exchanges[" << unused.index << "] " << unused.request << "\n";
  }
  return report.complete() ? kExitOk : kExitFailure;
}

}  // namespace nasfake::cli
