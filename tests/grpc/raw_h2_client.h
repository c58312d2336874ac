// A small raw HTTP/2 client on nghttp2 for the gRPC tests: it sends what
// grpc++ never would (bad headers, two messages, garbage) and sees what grpc++
// hides (each frame, a GOAWAY's last-stream-id, an RST_STREAM's code, whether
// the connection ended with FIN or RST). Single-threaded; every read is
// bounded by the socket's receive timeout (kRawWait).
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <nghttp2/nghttp2.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace nasfake::testing {

using Headers = std::vector<std::pair<std::string, std::string>>;

inline constexpr std::chrono::seconds kRawWait{20};

inline int ConnectTcp(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  timeval tv{static_cast<time_t>(kRawWait.count()), 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  return fd;
}

// Reads until EOF (true) or the receive timeout / an error (false).
inline bool ReadToEof(int fd, std::string& got) {
  char buf[4096];
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n == 0) return true;
    if (n < 0) return errno == ECONNRESET;
    got.append(buf, static_cast<size_t>(n));
  }
}

// The types of the HTTP/2 frames in `bytes` (a server's output, no preface).
inline std::vector<int> FrameTypes(const std::string& bytes) {
  std::vector<int> types;
  for (size_t at = 0; at + 9 <= bytes.size();) {
    auto b = [&](size_t i) { return static_cast<unsigned char>(bytes[at + i]); };
    size_t len = (size_t{b(0)} << 16) | (size_t{b(1)} << 8) | b(2);
    types.push_back(b(3));
    at += 9 + len;
  }
  return types;
}

struct RawResponse {
  Headers headers;
  Headers trailers;
  std::string data;
  std::vector<size_t> data_frames;  // the payload size of each DATA frame
  bool closed = false;
  uint32_t rst_code = 0;

  std::string Get(const std::string& name) const {
    for (const auto* list : {&headers, &trailers}) {
      for (const auto& [k, v] : *list) {
        if (k == name) return v;
      }
    }
    return "<none>";
  }
};

class RawH2Client {
 public:
  explicit RawH2Client(int port) : fd_(ConnectTcp(port)) {
    nghttp2_session_callbacks* cbs;
    nghttp2_session_callbacks_new(&cbs);
    nghttp2_session_callbacks_set_on_header_callback(cbs, OnHeader);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, OnData);
    nghttp2_session_callbacks_set_on_stream_close_callback(cbs, OnClose);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, OnFrame);
    nghttp2_session_client_new(&session_, cbs, this);
    nghttp2_session_callbacks_del(cbs);
    nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, nullptr, 0);
  }
  ~RawH2Client() {
    nghttp2_session_del(session_);
    if (fd_ >= 0) ::close(fd_);
  }

  // Opens a stream; `body` nullopt: END_STREAM on the HEADERS.
  int32_t Request(const Headers& headers, std::optional<std::string> body) {
    std::vector<nghttp2_nv> nv;
    for (const auto& [k, v] : headers) {
      nv.push_back({reinterpret_cast<uint8_t*>(const_cast<char*>(k.data())),
                    reinterpret_cast<uint8_t*>(const_cast<char*>(v.data())), k.size(), v.size(),
                    NGHTTP2_NV_FLAG_NONE});
    }
    nghttp2_data_provider provider{};
    auto owned = std::make_unique<Body>();
    if (body) {
      owned->bytes = std::move(*body);
      provider.source.ptr = owned.get();
      provider.read_callback = ReadBody;
    }
    int32_t id = nghttp2_submit_request(session_, nullptr, nv.data(), nv.size(),
                                        body ? &provider : nullptr, nullptr);
    EXPECT_GT(id, 0);
    bodies_[id] = std::move(owned);
    responses_[id];
    Flush();
    return id;
  }

  // Pumps until stream `id` closes; ADD_FAILUREs when the connection ends first.
  const RawResponse& Wait(int32_t id) {
    while (!responses_[id].closed) {
      if (!Pump()) {
        ADD_FAILURE() << "connection ended before stream " << id << " closed";
        break;
      }
    }
    return responses_[id];
  }

  // Sends a PING and pumps until its ACK.
  bool Ping() {
    int before = ping_acks_;
    nghttp2_submit_ping(session_, NGHTTP2_FLAG_NONE, nullptr);
    Flush();
    while (ping_acks_ == before) {
      if (!Pump()) return false;
    }
    return true;
  }

  void CloseSocket() {
    ::close(fd_);
    fd_ = -1;
  }

  // How the server ended the connection.
  enum class Ending { kEof, kReset, kTimeout };
  // Pumps until the connection ends (bounded by the socket's receive
  // timeout); every frame before the end is processed.
  Ending WaitForEnd() {
    for (;;) {
      Flush();
      uint8_t buf[16384];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n == 0) return saw_reset_ ? Ending::kReset : Ending::kEof;
      if (n < 0) {
        if (errno == EINTR) continue;
        return errno == ECONNRESET || saw_reset_ ? Ending::kReset : Ending::kTimeout;
      }
      if (nghttp2_session_mem_recv(session_, buf, static_cast<size_t>(n)) < 0) {
        return Ending::kTimeout;  // not HTTP/2: counts as a failure to end properly
      }
    }
  }

  // Pumps until a GOAWAY arrives (true) or the connection ends (false).
  bool WaitForGoaway() {
    while (!goaway_) {
      if (!Pump()) return false;
    }
    return true;
  }
  // The GOAWAY received, if any.
  struct Goaway {
    int32_t last_stream_id;
    uint32_t error_code;
  };
  const std::optional<Goaway>& goaway() const { return goaway_; }
  const RawResponse& response(int32_t id) { return responses_[id]; }

 private:
  struct Body {
    std::string bytes;
    size_t pos = 0;
  };

  void Flush() {
    for (;;) {
      const uint8_t* data;
      ssize_t n = nghttp2_session_mem_send(session_, &data);
      if (n <= 0) return;
      for (ssize_t sent = 0; sent < n;) {
        ssize_t w = ::send(fd_, data + sent, static_cast<size_t>(n - sent), MSG_NOSIGNAL);
        if (w <= 0) {
          // A send is what learns of a reset first when the client has
          // something to say (a WINDOW_UPDATE); a later recv then reads EOF.
          if (errno == ECONNRESET || errno == EPIPE) saw_reset_ = true;
          return;
        }
        sent += w;
      }
    }
  }
  bool Pump() {
    Flush();
    uint8_t buf[16384];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return false;
    if (nghttp2_session_mem_recv(session_, buf, static_cast<size_t>(n)) < 0) return false;
    Flush();
    return true;
  }

  static ssize_t ReadBody(nghttp2_session*, int32_t, uint8_t* buf, size_t length, uint32_t* flags,
                          nghttp2_data_source* source, void*) {
    auto* body = static_cast<Body*>(source->ptr);
    size_t n = std::min(length, body->bytes.size() - body->pos);
    std::memcpy(buf, body->bytes.data() + body->pos, n);
    body->pos += n;
    if (body->pos == body->bytes.size()) *flags |= NGHTTP2_DATA_FLAG_EOF;
    return static_cast<ssize_t>(n);
  }
  static int OnHeader(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name,
                      size_t namelen, const uint8_t* value, size_t valuelen, uint8_t, void* user) {
    auto* self = static_cast<RawH2Client*>(user);
    RawResponse& r = self->responses_[frame->hd.stream_id];
    auto& list = frame->headers.cat == NGHTTP2_HCAT_HEADERS ? r.trailers : r.headers;
    list.emplace_back(std::string(reinterpret_cast<const char*>(name), namelen),
                      std::string(reinterpret_cast<const char*>(value), valuelen));
    return 0;
  }
  static int OnData(nghttp2_session*, uint8_t, int32_t id, const uint8_t* data, size_t len,
                    void* user) {
    static_cast<RawH2Client*>(user)->responses_[id].data.append(reinterpret_cast<const char*>(data),
                                                                len);
    return 0;
  }
  static int OnClose(nghttp2_session*, int32_t id, uint32_t code, void* user) {
    RawResponse& r = static_cast<RawH2Client*>(user)->responses_[id];
    r.closed = true;
    r.rst_code = code;
    return 0;
  }
  static int OnFrame(nghttp2_session*, const nghttp2_frame* frame, void* user) {
    auto* self = static_cast<RawH2Client*>(user);
    if (frame->hd.type == NGHTTP2_PING && (frame->hd.flags & NGHTTP2_FLAG_ACK) != 0) {
      ++self->ping_acks_;
    } else if (frame->hd.type == NGHTTP2_GOAWAY) {
      self->goaway_ = Goaway{frame->goaway.last_stream_id, frame->goaway.error_code};
    } else if (frame->hd.type == NGHTTP2_DATA) {
      self->responses_[frame->hd.stream_id].data_frames.push_back(frame->hd.length);
    }
    return 0;
  }

  int fd_;
  nghttp2_session* session_ = nullptr;
  std::map<int32_t, std::unique_ptr<Body>> bodies_;
  std::map<int32_t, RawResponse> responses_;
  int ping_acks_ = 0;
  std::optional<Goaway> goaway_;
  bool saw_reset_ = false;
};

inline Headers GrpcHeaders(const std::string& path = "/nasfake.test.Echo/Call") {
  return {{":method", "POST"},         {":scheme", "http"}, {":path", path},
          {":authority", "localhost"}, {"te", "trailers"},  {"content-type", "application/grpc"}};
}

inline Headers With(Headers headers, const std::string& name, const std::string& value) {
  for (auto& [k, v] : headers) {
    if (k == name) {
      v = value;
      return headers;
    }
  }
  headers.emplace_back(name, value);
  return headers;
}

inline Headers Without(Headers headers, const std::string& name) {
  std::erase_if(headers, [&](const auto& h) { return h.first == name; });
  return headers;
}

}  // namespace nasfake::testing
