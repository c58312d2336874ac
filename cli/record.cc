// nasfake record: a recording proxy in front of an upstream (the real API
// through a local HTTP proxy, or a fake), writing what it sees as a
// transcript that `nasfake replay` serves again.
#include <iostream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/flag_parser.h"
#include "cli/flags.h"
#include "fake/server/http_transport.h"
#include "fake/server/journaled_service.h"
#include "fake/server/recording_proxy.h"
#include "fake/version.h"

namespace nasfake::cli {
namespace {

constexpr char kRecordUsage[] =
    "Usage: nasfake record --upstream URL --out TRANSCRIPT [flags]\n"
    "\n"
    "A recording proxy: serves HTTP until SIGINT or SIGTERM, forwards every request to\n"
    "the upstream and returns its answer unchanged, and records each exchange into\n"
    "TRANSCRIPT for 'nasfake replay'. The first line on stdout is\n"
    "'NASFAKE_ENDPOINT=http://HOST:PORT', for scripts to read.\n"
    "\n"
    "TRANSCRIPT is replaced at start (by an empty transcript) and rewritten after\n"
    "every exchange and on stop, each time atomically (a temporary file, renamed), so\n"
    "a crash loses nothing. It records each request as received and each answer as\n"
    "returned. An upstream that cannot be reached, or does not answer within 60s, is\n"
    "answered (and recorded) as Google's HTML 502 page.\n"
    "\n"
    "Forwarded: the method, target, body and headers, except Host, Content-Length,\n"
    "Accept-Encoding (no compressed answers are asked for) and hop-by-hop headers.\n"
    "Returned: the status, Content-Type, body and headers, except hop-by-hop ones.\n"
    "\n"
    "Exit status: 0 after a clean stop; 1 when the transcript could not be written on\n"
    "stop; 2 for bad flags (an https:// upstream included); 3 when TRANSCRIPT cannot\n"
    "be written at start or the address cannot be bound.\n"
    "\n"
    "Flags:\n"
    "  --upstream URL   http://HOST[:PORT] to forward to (required; http only: put a\n"
    "                   local TLS-terminating proxy in front of an https API)\n"
    "  --out PATH       the transcript file to write (required)\n"
    "  --host ADDR      address to listen on (default 127.0.0.1; anything not loopback\n"
    "                   must be asked for explicitly with this flag)\n"
    "  --port N         port (default 0: any free port)\n"
    "  -h, --help       print this help\n"
    "  --version        print the version\n";

}  // namespace

int Record(const std::vector<std::string>& args) {
  server::HttpTransport::Options options;
  std::string upstream_url;
  std::string out;
  FlagParser flags("record", kRecordUsage);
  flags.Flag("--upstream", TextValue(&upstream_url, "a URL such as http://127.0.0.1:8080"))
      .Flag("--out", TextValue(&out, "a file path"))
      .Flag("--host", TextValue(&options.host, "an address"))
      .Flag("--port", PortValue(&options.port));
  if (auto done = flags.Parse(args)) return *done;
  if (upstream_url.empty()) return flags.UsageError("--upstream is required");
  if (out.empty()) return flags.UsageError("--out is required");
  auto upstream = server::ParseUpstream(upstream_url);
  if (!upstream.ok()) return flags.UsageError(upstream.status().message());

  server::RecordingProxy::Options proxy_options;
  proxy_options.warn = [](const std::string& line) {
    std::cerr << "nasfake record: " << line << "\n";
  };
  server::RecordingProxy recorder(*upstream, out, proxy_options);
  if (Status s = recorder.Write(); !s.ok()) {
    std::cerr << "nasfake record: " << s.message() << "\n";
    return kExitCannotRun;
  }

  sigset_t stop_signals = BlockStopSignals();  // before any thread starts
  server::JournaledService service("record", [&recorder](api::Request&& request) {
    return recorder.Handle(std::move(request));
  });
  auto transport = server::HttpTransport::Start(
      options, [&service](api::Request&& request) { return service.Handle(std::move(request)); });
  if (!transport.ok()) {
    std::cerr << "nasfake record: " << ListenError(transport.status().message()) << "\n";
    return kExitCannotRun;
  }
  std::string endpoint = Endpoint((*transport)->host(), (*transport)->port());
  std::cout << "NASFAKE_ENDPOINT=" << endpoint << std::endl;
  std::cerr << "nasfake " << NASFAKE_VERSION << " recording at " << endpoint << ": forwarding to "
            << upstream->url << ", writing " << out << ". Stop with Ctrl-C.\n";
  if (!IsLoopback(options.host)) {
    std::cerr << "nasfake record: WARNING: listening on " << options.host
              << ", beyond loopback: anyone who can reach it can use the upstream through it.\n";
  }
  const char* signal_name = WaitForStopSignal(stop_signals);
  recorder.BeginStop();
  (*transport)->Stop();
  Status written = recorder.Write();
  if (!written.ok()) std::cerr << "nasfake record: " << written.message() << "\n";
  std::cerr << "nasfake record: stopped (" << signal_name << "); "
            << Count(recorder.size(), "exchange")
            << (written.ok() ? " written to " : " NOT written to ") << out << "\n";
  return written.ok() ? kExitOk : kExitFailure;
}

}  // namespace nasfake::cli
