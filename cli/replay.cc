// nasfake replay: serves a recorded transcript's answers again.
#include <iostream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/flag_parser.h"
#include "cli/flags.h"
#include "fake/server/http_transport.h"
#include "fake/server/journaled_service.h"
#include "fake/version.h"
#include "scenarios/replayer.h"
#include "scenarios/transcript.h"

namespace nasfake::cli {
namespace {

constexpr char kReplayUsage[] =
    "Usage: nasfake replay TRANSCRIPT [flags]\n"
    "\n"
    "Serves the answers recorded in TRANSCRIPT (written by 'nasfake record', or the\n"
    "control API's GET /__nasfake/v1/transcript) on HTTP until SIGINT or SIGTERM. The\n"
    "first line on stdout is 'NASFAKE_ENDPOINT=http://HOST:PORT', for scripts to read.\n"
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
    "Exit status: 0 when every exchange was used and every request had an answer;\n"
    "1 otherwise; 2 for bad flags; 3 when the transcript cannot be loaded or the\n"
    "address cannot be bound.\n"
    "\n"
    "Flags:\n"
    "  --host ADDR   address to listen on (default 127.0.0.1; anything not loopback\n"
    "                must be asked for explicitly with this flag)\n"
    "  --port N      port (default 0: any free port)\n"
    "  --loose       match by method and target alone, ignoring bodies and the query\n"
    "                parameters $alt, alt, prettyPrint, $prettyPrint, key,\n"
    "                access_token, quotaUser and fields\n"
    "  --strict-order  answer only in the recorded order, across paths: a request\n"
    "                must match the first exchange not yet served\n"
    "  -h, --help    print this help\n"
    "  --version     print the version\n";

}  // namespace

int Replay(const std::vector<std::string>& args) {
  server::HttpTransport::Options options;
  scenarios::ReplayOptions replay_options;
  std::vector<std::string> transcript_paths;
  FlagParser flags("replay", kReplayUsage);
  flags.Flag("--host", TextValue(&options.host, "an address"))
      .Flag("--port", PortValue(&options.port))
      .Switch("--loose", [&] { replay_options.loose = true; })
      .Switch("--strict-order", [&] { replay_options.strict_order = true; })
      .Positionals("TRANSCRIPT", 1, 1, &transcript_paths);
  if (auto done = flags.Parse(args)) return *done;
  const std::string& transcript_path = transcript_paths[0];

  auto transcript = scenarios::LoadTranscriptFile(transcript_path);
  if (!transcript.ok()) {
    std::cerr << "nasfake replay: " << transcript.status().message() << "\n";
    return kExitCannotRun;
  }
  size_t recorded = transcript->exchanges.size();
  scenarios::Replayer replayer(std::move(*transcript), replay_options);

  sigset_t stop_signals = BlockStopSignals();  // before any thread starts
  server::JournaledService service(
      "replay", [&replayer](api::Request&& request) { return replayer.Answer(request); });
  auto transport = server::HttpTransport::Start(
      options, [&service](api::Request&& request) { return service.Handle(std::move(request)); });
  if (!transport.ok()) {
    std::cerr << "nasfake replay: " << ListenError(transport.status().message()) << "\n";
    return kExitCannotRun;
  }
  std::string endpoint = Endpoint((*transport)->host(), (*transport)->port());
  std::cout << "NASFAKE_ENDPOINT=" << endpoint << std::endl;
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
