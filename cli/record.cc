// nasfake record: a recording proxy in front of an upstream (the real API
// over https, or a fake), writing what it sees as a transcript that
// `nasfake replay` serves again.
#include <iostream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/flag_parser.h"
#include "cli/flags.h"
#include "fake/server/http_transport.h"
#include "fake/server/journaled_service.h"
#include "fake/server/recording_proxy.h"
#include "fake/tls/certificates.h"
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
    "Credentials are forwarded but never recorded: the transcript has '<redacted>'\n"
    "for the values of the request headers Authorization, Proxy-Authorization,\n"
    "X-Goog-Api-Key and Cookie, of the answer header Set-Cookie, and of the query\n"
    "parameters key and access_token ('%3Credacted%3E').\n"
    "\n"
    "An https:// upstream's certificate is verified (chain and host name) against\n"
    "the system's trust store, or --upstream-ca; one that fails is answered 502 and\n"
    "the warning on stderr says why.\n"
    "\n"
    "Exit status: 0 after a clean stop; 1 when the transcript could not be written on\n"
    "stop; 2 for bad flags; 3 when TRANSCRIPT cannot be written at start, the\n"
    "--upstream-ca file cannot be loaded or the address cannot be bound.\n"
    "\n"
    "Flags:\n"
    "  --upstream URL   http[s]://HOST[:PORT] to forward to (required), e.g.\n"
    "                   https://us-central1-aiplatform.googleapis.com\n"
    "  --upstream-ca FILE  trust the CA certificates of this PEM file for an https\n"
    "                   upstream, instead of the system's\n"
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
  std::string upstream_ca;
  FlagParser flags("record", kRecordUsage);
  flags.Flag("--upstream", TextValue(&upstream_url, "a URL such as https://127.0.0.1:8443"))
      .Flag("--upstream-ca", TextValue(&upstream_ca, "a file (PEM)"))
      .Flag("--out", TextValue(&out, "a file path"))
      .Flag("--host", TextValue(&options.host, "an address"))
      .Flag("--port", PortValue(&options.port));
  if (auto done = flags.Parse(args)) return *done;
  if (upstream_url.empty()) return flags.UsageError("--upstream is required");
  if (out.empty()) return flags.UsageError("--out is required");
  auto upstream = server::ParseUpstream(upstream_url);
  if (!upstream.ok()) return flags.UsageError(upstream.status().message());
  if (!upstream_ca.empty() && !upstream->tls) {
    return flags.UsageError("--upstream-ca is for an https:// upstream");
  }
  if (!upstream_ca.empty()) {
    if (Status s = tls::CheckCertificateFile(upstream_ca); !s.ok()) {
      std::cerr << "nasfake record: --upstream-ca " << s.message() << "\n";
      return kExitCannotRun;
    }
  }

  server::RecordingProxy::Options proxy_options;
  proxy_options.ca_file = upstream_ca;
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
