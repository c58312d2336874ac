// The recording proxy behind `nasfake record`: forwards each request to an
// upstream (the real API over https, or a fake) and returns its answer
// unchanged, recording each exchange into a transcript file that
// `nasfake replay` serves again.
//
// An https:// upstream's certificate is verified (chain and host name)
// against the system's trust store, or against Options::ca_file; one that
// fails is answered 502 like any unreachable upstream, and the warning says
// why. Credentials are forwarded but never recorded: every exchange goes
// through scenarios::RedactCredentials before it is stored.
//
// Forwarded: the method, target, body and headers, except Host,
// Content-Length, Accept-Encoding (no compressed answers are asked for),
// Expect and hop-by-hop headers. Returned: the status, Content-Type, body and
// headers, except hop-by-hop ones. An upstream that cannot be reached, or
// does not answer within the timeout, is answered (and recorded) as Google's
// HTML 502 page (errors::HtmlErrorResponse).
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "fake/api/request.h"
#include "fake/status.h"

namespace nasfake::server {

struct Upstream {
  bool tls = false;  // https://
  std::string host;  // an IPv6 address without brackets
  int port = 80;     // 443 by default for https://
  std::string url;   // as given, for messages
};

// http[s]://HOST[:PORT][/]; INVALID_ARGUMENT saying what is wrong otherwise
// (the message names the flag, --upstream).
StatusOr<Upstream> ParseUpstream(const std::string& url);

class RecordingProxy {
 public:
  struct Options {
    std::chrono::seconds connect_timeout{5};
    std::chrono::seconds upstream_timeout{60};
    // https:// upstreams: a PEM file of the CAs to trust instead of the
    // system's (--upstream-ca).
    std::string ca_file;
    // Told of each upstream failure and failed write, one line without "\n".
    std::function<void(const std::string&)> warn = [](const std::string&) {};
  };
  // Writes nothing yet: call Write() to start the transcript file.
  RecordingProxy(Upstream upstream, std::filesystem::path out, Options options);
  ~RecordingProxy();
  RecordingProxy(const RecordingProxy&) = delete;
  RecordingProxy& operator=(const RecordingProxy&) = delete;

  // Forwards `request` and returns the upstream's answer (502 when it cannot
  // be had), recording the exchange and rewriting the transcript file.
  // Requests that arrive after BeginStop, or whose upstream call it cuts
  // short, are answered 502 and not recorded. Thread-safe.
  api::Response Handle(api::Request&& request);
  // From now on nothing is forwarded or recorded; upstream calls in flight
  // are cut short. Call before stopping the transport, so it stops at once.
  void BeginStop();
  // Writes the transcript now, atomically (a temporary file beside it,
  // renamed). On failure, UNAVAILABLE "PATH: cannot write: <the OS's reason>"
  // (errors::CannotWriteFile), PATH the transcript's.
  Status Write();
  size_t size() const;  // exchanges recorded

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nasfake::server
