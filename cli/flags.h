// Small helpers shared by the subcommands: flag values and the stop signals.
#pragma once

#include <signal.h>

#include <charconv>
#include <optional>
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

// A --port value: a whole number from 0 (any free port) to 65535.
inline std::optional<int> ParsePort(const std::string& text) {
  int port = -1;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (ec != std::errc{} || end != text.data() + text.size() || port < 0 || port > 65535) {
    return std::nullopt;
  }
  return port;
}

// A failure to listen, with what to do about it: "cannot listen on
// 127.0.0.1:8080 (Address already in use): pass --port 0 for any free port".
inline std::string ListenError(const std::string& message) {
  if (message.find("Address already in use") != std::string::npos) {
    return message + ": pass --port 0 for any free port";
  }
  if (message.find("Permission denied") != std::string::npos) {
    return message + ": ports below 1024 need privileges; pass --port 0 for any free port";
  }
  if (message.find("Cannot assign requested address") != std::string::npos) {
    return message + ": --host must be an address of this machine (default 127.0.0.1)";
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
