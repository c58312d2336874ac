// A minimal blocking HTTP/1.1 client over loopback sockets for the
// benchmarks: no library between the measurement and the server, every wait
// bounded by socket timeouts.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstddef>
#include <string>
#include <string_view>

namespace nasfake::bench {

// Every send and receive gives up after this long.
inline constexpr int kSocketTimeoutSeconds = 5;

// A connected socket to 127.0.0.1:port with TCP_NODELAY and bounded waits; -1
// on failure.
inline int Connect(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int yes = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
  timeval tv{kSocketTimeoutSeconds, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

inline bool SendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// The request bytes: the headers a Google client library sends, compression
// accepted (the servers must not use it).
inline std::string FormatRequest(std::string_view method, std::string_view target,
                                 std::string_view body, bool keep_alive) {
  std::string out;
  out.reserve(320 + body.size());
  out.append(method).append(" ").append(target).append(" HTTP/1.1\r\n");
  out.append(
      "Host: 127.0.0.1\r\n"
      "User-Agent: nasfake-bench/1.0 gl-cpp/20\r\n"
      "Accept: */*\r\n"
      "Accept-Encoding: gzip, deflate, br\r\n"
      "x-goog-api-client: gl-cpp/20 gccl/2.0\r\n");
  if (!keep_alive) out.append("Connection: close\r\n");
  if (method != "GET") {
    out.append("Content-Type: application/json\r\nContent-Length: ")
        .append(std::to_string(body.size()))
        .append("\r\n");
  }
  out.append("\r\n").append(body);
  return out;
}

struct Response {
  int status = 0;
  size_t body_bytes = 0;
  bool compressed = false;  // a Content-Encoding header came back
  std::string body;         // kept only when asked
};

// Reads one response (Content-Length framing) into `out`. `buf` carries bytes
// between calls on one connection. False on a socket error, timeout or a
// response this client cannot frame.
inline bool ReadResponse(int fd, std::string& buf, Response& out, bool keep_body = false) {
  auto fill = [&]() -> bool {
    char chunk[16384];
    for (;;) {
      ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n > 0) {
        buf.append(chunk, static_cast<size_t>(n));
        return true;
      }
      if (n < 0 && errno == EINTR) continue;
      return false;
    }
  };
  size_t head_end;
  while ((head_end = buf.find("\r\n\r\n")) == std::string::npos) {
    if (buf.size() > 65536 || !fill()) return false;
  }
  std::string_view head(buf.data(), head_end);
  if (head.size() < 12 || head.substr(0, 5) != "HTTP/") return false;
  out = Response{};
  std::from_chars(head.data() + 9, head.data() + 12, out.status);
  size_t length = 0;
  bool have_length = false;
  for (size_t pos = head.find("\r\n"); pos != std::string_view::npos;) {
    size_t next = head.find("\r\n", pos + 2);
    std::string_view line = head.substr(
        pos + 2, next == std::string_view::npos ? std::string_view::npos : next - pos - 2);
    size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
      std::string_view name = line.substr(0, colon);
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      if (name.size() == 14 && ::strncasecmp(name.data(), "content-length", 14) == 0) {
        have_length =
            std::from_chars(value.data(), value.data() + value.size(), length).ec == std::errc{};
      } else if (name.size() == 16 && ::strncasecmp(name.data(), "content-encoding", 16) == 0) {
        out.compressed = true;
      }
    }
    pos = next;
  }
  if (!have_length) return false;
  const size_t total = head_end + 4 + length;
  while (buf.size() < total) {
    if (!fill()) return false;
  }
  out.body_bytes = length;
  if (keep_body) out.body = buf.substr(head_end + 4, length);
  buf.erase(0, total);
  return true;
}

// One request on a fresh connection, closed afterwards. Status 0 on failure.
inline Response OneShot(int port, std::string_view method, std::string_view target,
                        std::string_view body = {}, bool keep_body = false) {
  Response response;
  int fd = Connect(port);
  if (fd < 0) return response;
  std::string buf;
  if (!SendAll(fd, FormatRequest(method, target, body, false)) ||
      !ReadResponse(fd, buf, response, keep_body)) {
    response = Response{};
  }
  ::close(fd);
  return response;
}

}  // namespace nasfake::bench
