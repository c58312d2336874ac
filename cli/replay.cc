// nasfake replay: serves a recorded transcript's answers again, or turns the
// transcript into a scenario file.
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/flag_parser.h"
#include "cli/flags.h"
#include "cli/tls_flags.h"
#include "fake/errors.h"
#include "fake/server/http_transport.h"
#include "fake/server/journaled_service.h"
#include "fake/tls/server_context.h"
#include "fake/version.h"
#include "scenarios/replayer.h"
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
    "A request is matched by its method, its path, the query parameters that change\n"
    "the answer (all but key, access_token, quotaUser, prettyPrint and $alt=json; in\n"
    "any order and spelling) and its body (as JSON, when it is: key order and spacing\n"
    "do not matter). The k-th request of a kind gets the k-th answer recorded for\n"
    "that kind, so repeated polls replay the recorded sequence. A request with no\n"
    "recorded answer gets 501 UNIMPLEMENTED, whose message names it and the closest\n"
    "recorded request (or says the answers for it were used up).\n"
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
    "  --port N             port (default 0: any free port)\n"
    "  --loose              match by method and target alone, ignoring bodies and the\n"
    "                       query parameters $alt, alt, prettyPrint, $prettyPrint,\n"
    "                       key, access_token, quotaUser and fields\n"
    "  --strict-order       answer only in the recorded order, across paths: a\n"
    "                       request must match the first exchange not yet served\n";
// After the TLS flags (kTlsFlagsUsage).
constexpr char kReplayUsageRest[] =
    "  --to-scenario OUT.json  write the transcript as a scenario file and exit\n"
    "  -h, --help           print this help\n"
    "  --version            print the version\n";

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
  errno = 0;  // what a failed open or write leaves is the reason
  std::ofstream file(out, std::ios::binary | std::ios::trunc);
  file << document.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  file.close();
  if (!file) {
    std::cerr << "nasfake replay: " << errors::CannotWriteFile(out.string(), errno ? errno : EIO).message()
              << "\n";
    return kExitCannotRun;
  }
  for (const auto& request : skipped) {
    std::cerr << "nasfake replay: left out (not an API call): " << request << "\n";
  }
  size_t rules = document.value("rules", nlohmann::json::array()).size();
  size_t used = transcript.exchanges.size() - skipped.size();
  std::cerr << "nasfake replay: wrote " << out.string() << " (" << Count(rules, "rule")
            << " from " << Count(used, "exchange") << ")\n";
  return kExitOk;
}

}  // namespace

int Replay(const std::vector<std::string>& args) {
  server::HttpTransport::Options options;
  scenarios::ReplayOptions replay_options;
  std::vector<std::string> transcript_paths;
  std::string to_scenario;
  bool serving_flags = false;  // --host, --port or a TLS flag
  TlsFlags tls_flags;
  FlagParser flags("replay", std::string(kReplayUsage) + kTlsFlagsUsage + kReplayUsageRest);
  tls_flags.AddTo(flags);
  auto serving = [&serving_flags](FlagParser::Setter set) -> FlagParser::Setter {
    return [&serving_flags, set](const std::string& value) {
      serving_flags = true;
      return set(value);
    };
  };
  flags.Flag("--host", serving(TextValue(&options.host, "an address")))
      .Flag("--port", serving(PortValue(&options.port)))
      .Switch("--loose", [&] { replay_options.loose = true; })
      .Switch("--strict-order", [&] { replay_options.strict_order = true; })
      .Flag("--to-scenario", TextValue(&to_scenario, "a file path"))
      .Positionals("TRANSCRIPT", 1, 1, &transcript_paths);
  if (auto done = flags.Parse(args)) return *done;
  const std::string& transcript_path = transcript_paths[0];
  serving_flags = serving_flags || tls_flags.tls;
  if (std::string error = tls_flags.Check(); !error.empty()) return flags.UsageError(error);
  if (!to_scenario.empty() && serving_flags) {
    return flags.UsageError(
        "--to-scenario writes a file and serves nothing: no --host, --port or TLS");
  }

  auto transcript = scenarios::LoadTranscriptFile(transcript_path);
  if (!transcript.ok()) {
    std::cerr << "nasfake replay: " << transcript.status().message() << "\n";
    return kExitCannotRun;
  }
  if (!to_scenario.empty()) return WriteScenario(*transcript, transcript_path, to_scenario);
  size_t recorded = transcript->exchanges.size();
  scenarios::Replayer replayer(std::move(*transcript), replay_options);

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
  std::cerr << "nasfake " << NASFAKE_VERSION << " replaying " << Count(recorded, "exchange")
            << " of " << transcript_path << " at " << endpoint << ". Stop with Ctrl-C.\n";
  if (!IsLoopback(options.host)) {
    std::cerr << "nasfake replay: WARNING: listening on " << options.host
              << ", beyond loopback: anyone who can reach it can read the transcript's answers.\n";
  }
  const char* signal_name = WaitForStopSignal(stop_signals);
  (*transport)->Stop();

  scenarios::ReplayReport report = replayer.Report();
  std::cerr << "nasfake replay: stopped (" << signal_name
            << "): " << Count(report.answered, "request") << " answered from the transcript, "
            << report.unmatched.size() << " unmatched, " << report.unused.size() << " of "
            << Count(recorded, "exchange") << " unused\n";
  for (const auto& request : report.unmatched) std::cerr << "  unmatched: " << request << "\n";
  for (const auto& unused : report.unused) {
    std::cerr << "  unused: exchanges[" << unused.index << "] " << unused.request << "\n";
  }
  return report.complete() ? kExitOk : kExitFailure;
}

}  // namespace nasfake::cli
