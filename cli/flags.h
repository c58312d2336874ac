// Small helpers shared by the serving subcommands: the endpoint, listen
// errors and the stop signals.
#pragma once

#include <signal.h>

#include <string>

namespace nasfake::cli {

// Whether `host` is a loopback address. Anything else must be asked for
// explicitly with --host (the default is 127.0.0.1).
inline bool IsLoopback(const std::string& host) {
  return host == "127.0.0.1" || host == "::1" || host == "localhost" || host.rfind("127.", 0) == 0;
}

// "http://HOST:PORT" ("https://…" with `tls`), an IPv6 address in brackets.
inline std::string Endpoint(const std::string& host, int port, bool tls = false) {
  bool ipv6 = host.find(':') != std::string::npos;
  return (tls ? "https://" : "http://") + (ipv6 ? "[" + host + "]" : host) + ":" +
         std::to_string(port);
}

// A failure to listen (FakeServer or HttpTransport's message), followed by
// what failed in the user's terms and the flag that changes it:
//   cannot listen on 127.0.0.1:8080: Address already in use: the port is in
//   use; pass --port 0 for any free port
inline std::string ListenError(const std::string& message) {
  const std::string port_flag = message.rfind("gRPC: ", 0) == 0 ? "--grpc-port" : "--port";
  auto has = [&](const char* text) { return message.find(text) != std::string::npos; };
  if (has("Address already in use")) {
    return message + ": the port is in use; pass " + port_flag + " 0 for any free port";
  }
  if (has("Permission denied")) {
    return message + ": ports below 1024 need privileges; pass " + port_flag +
           " 0 for any free port";
  }
  if (has("Cannot assign requested address")) {
    return message +
           ": the address is not one of this machine's; --host takes a local "
           "address (default 127.0.0.1)";
  }
  if (has("is not an IP address or a known host name")) {
    return message + ": --host takes a local address (default 127.0.0.1)";
  }
  return message;
}

// SIGINT and SIGTERM, blocked in the calling thread. Call before any thread
// starts, so every thread inherits the mask and only WaitForStopSignal
// receives them. Also ignores SIGPIPE (a client that goes away is no crash).
inline sigset_t BlockStopSignals() {
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  return stop_signals;
}

// Blocks until SIGINT or SIGTERM arrives; returns "SIGINT" or "SIGTERM".
inline const char* WaitForStopSignal(const sigset_t& stop_signals) {
  int received = 0;
  sigwait(&stop_signals, &received);
  return received == SIGINT ? "SIGINT" : "SIGTERM";
}

}  // namespace nasfake::cli
