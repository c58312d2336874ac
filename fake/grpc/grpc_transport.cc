// GrpcTransport on libnghttp2 (see the header for the wire contract). This
// file owns the sockets and threads; nghttp2 owns HTTP/2 (framing, HPACK, flow
// control, PING/SETTINGS, stream states); grpc_framing.h owns gRPC's framing.
//
// Threads and lifetimes:
// - Every thread but the listener's is a task of the transport's TaskThreads
//   (task_threads.h: a thread of its own, reused from task to task). The
//   listener runs each accepted connection's loop (Connection::Serve) as a
//   task. A Connection is shared by its loop's task and by a handler that
//   moved off the loop (below); only the thread that runs the loop touches its
//   session, streams and socket, and the loop's end closes them at once
//   (Connection::Close), whoever still holds the Connection.
// - A complete call runs on the loop's thread, between reads
//   (RunReadyCalls), and its answer leaves with the loop's next write: one
//   thread wake-up per call. A handler about to wait calls AboutToWait()
//   (fake/about_to_wait.h); the connection's WaitNotice (LoopHandoff) then
//   runs the loop on a new task, and the waiting thread, once its handler
//   returns, touches nothing of the connection but its Mailbox: it posts the
//   reply there and writes the Mailbox's eventfd; the loop wakes, takes the
//   replies and answers the streams still waiting (a stream is looked up by
//   id, so a reply for a stream that was reset, closed or already answered at
//   its deadline finds nothing and is dropped). After the loop's end the
//   Mailbox drops what is posted.
// - Impl counts live Connections (max_connections) and calls in handlers
//   (max_concurrent_calls). Stop() waits for every task to end, and with them
//   every Connection, so no thread touches Impl (or the handler) once it
//   returns. Every poll loop also polls stop_fd_, an eventfd written once by
//   Stop() and never read, so all of them wake at once.
// - Every byte goes through the connection's tls::SocketIo (the socket
//   itself in plaintext; OpenSSL's records with Options::tls, whose handshake
//   runs on the connection's thread before the HTTP/2 session starts).
// - Output is pulled from nghttp2 (nghttp2_session_mem_send) only while less
//   than kOutHighWater bytes wait for the socket, and the socket is not read
//   meanwhile: a peer that does not read cannot make the server buffer.
#include "fake/grpc/grpc_transport.h"

#include <fcntl.h>
#include <linux/sockios.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <nghttp2/nghttp2.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstring>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <string_view>
#include <thread>

#include "fake/about_to_wait.h"
#include "fake/grpc/grpc_framing.h"
#include "fake/grpc/task_threads.h"
#include "fake/tls/socket_io.h"

namespace nasfake::grpc {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr int kListenBacklog = 1024;
constexpr size_t kReadChunk = 16 * 1024;
// Reads per poll wake-up before the loop looks at replies and timers again.
constexpr int kReadsPerWake = 8;
// Output waiting for the socket beyond which nghttp2 is not asked for more
// and the socket is not read.
constexpr size_t kOutHighWater = 64 * 1024;
constexpr int32_t kInitialWindow = 1 << 20;
constexpr int32_t kConnectionWindow = 16 << 20;
// The most a closing connection waits for the client to close too.
constexpr milliseconds kMaxLinger{1000};

// grpc-status codes the transport answers by itself (google.rpc.Code).
constexpr int kUnknown = 2;
constexpr int kDeadlineExceeded = 4;
constexpr int kResourceExhausted = 8;
constexpr int kUnimplemented = 12;
constexpr int kInternal = 13;

// Thread stacks (see server/http_transport.cc for the measurements behind the
// REST transport's 512 KiB): a thread runs a connection's loop and its
// handlers, i.e. the fake's whole request path, so it gets what a REST
// connection thread gets. Sanitized and unoptimised frames are several times
// larger.
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define NASFAKE_GRPC_LARGE_FRAMES 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__) || !defined(__OPTIMIZE__)
#define NASFAKE_GRPC_LARGE_FRAMES 1
#endif
#if defined(NASFAKE_GRPC_LARGE_FRAMES)
constexpr size_t kThreadStack = 4 << 20;
#else
constexpr size_t kThreadStack = 512 << 10;
#endif

// A thread with no task for this long exits.
constexpr milliseconds kIdleThread{5000};

Clock::time_point DeadlineAfter(Clock::duration d) {
  auto now = Clock::now();
  if (d > Clock::time_point::max() - now) return Clock::time_point::max();
  return now + d;
}

std::string HostPort(std::string_view host, int port) {
  std::string out;
  if (host.find(':') != std::string_view::npos) {
    out.append("[").append(host).append("]");
  } else {
    out.append(host);
  }
  return out.append(":").append(std::to_string(port));
}

std::string PeerAddress(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return "";
  char host[NI_MAXHOST] = {};
  char serv[NI_MAXSERV] = {};
  if (::getnameinfo(reinterpret_cast<const sockaddr*>(&addr), len, host, sizeof host, serv,
                    sizeof serv, NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
    return "";
  }
  return HostPort(host, std::atoi(serv));
}

void WakeEventfd(int fd) {
  uint64_t one = 1;
  while (::write(fd, &one, sizeof one) < 0 && errno == EINTR) {
  }
}

nghttp2_nv Nv(std::string_view name, std::string_view value) {
  // nghttp2_submit_* copy names and values: the views need only outlive the call.
  return nghttp2_nv{reinterpret_cast<uint8_t*>(const_cast<char*>(name.data())),
                    reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())), name.size(),
                    value.size(), NGHTTP2_NV_FLAG_NONE};
}

// A reply on its way from a handler that waited to its connection's loop.
struct Completion {
  int32_t stream_id;
  GrpcReply reply;
};

// Where handlers that waited leave their replies for the loop (see the file
// comment).
class Mailbox {
 public:
  Mailbox() : wake_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}
  ~Mailbox() {
    if (wake_fd_ >= 0) ::close(wake_fd_);
  }
  Mailbox(const Mailbox&) = delete;
  Mailbox& operator=(const Mailbox&) = delete;

  bool ok() const { return wake_fd_ >= 0; }
  int wake_fd() const { return wake_fd_; }

  void Post(Completion completion) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (closed_) return;  // the connection is gone: the reply is dropped
      done_.push_back(std::move(completion));
    }
    // After the unlock, so the woken connection does not block on mu_ in Take().
    WakeEventfd(wake_fd_);
  }

  std::deque<Completion> Take() {
    uint64_t count;
    while (::read(wake_fd_, &count, sizeof count) < 0 && errno == EINTR) {
    }
    std::lock_guard<std::mutex> lock(mu_);
    return std::exchange(done_, {});
  }

  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    done_.clear();
  }

 private:
  const int wake_fd_;
  std::mutex mu_;
  std::deque<Completion> done_;
  bool closed_ = false;
};

}  // namespace

GrpcReply GrpcReply::Message(std::string message) {
  GrpcReply r;
  r.kind = Kind::kMessage;
  r.message = std::move(message);
  return r;
}

GrpcReply GrpcReply::Error(int code, std::string status_message, std::string details_bin) {
  GrpcReply r;
  r.kind = Kind::kStatus;
  r.code = code;
  r.status_message = std::move(status_message);
  r.details_bin = std::move(details_bin);
  return r;
}

GrpcReply GrpcReply::Http(int http_status, std::string content_type, std::string body) {
  GrpcReply r;
  r.kind = Kind::kHttp;
  r.http_status = http_status;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  return r;
}

class GrpcTransport::Impl {
 public:
  Impl(const Options& options, GrpcHandler handler)
      : options_(options),
        handler_(std::move(handler)),
        threads_(options.max_connections + options.max_concurrent_calls, kThreadStack,
                 kIdleThread) {}
  ~Impl() { Stop(); }

  Status Start();
  void Stop();
  int port() const { return port_; }
  const std::string& host() const { return options_.host; }

  const Options& options() const { return options_; }
  int stop_fd() const { return stop_fd_; }

  // Runs `task` on a thread of its own; false once stopping (or, should a
  // task outlive its connection's or call's count for a moment, beyond
  // max_connections + max_concurrent_calls tasks).
  bool RunTask(std::function<void()> task) { return threads_.Run(std::move(task)); }
  void ReleaseConnection() {
    std::lock_guard<std::mutex> lock(mu_);
    --connections_;
  }
  // Counts a call into a handler; false (not counted) at max_concurrent_calls.
  bool EnterCall() {
    if (calls_.fetch_add(1, std::memory_order_relaxed) < options_.max_concurrent_calls) return true;
    calls_.fetch_sub(1, std::memory_order_relaxed);
    return false;
  }
  void LeaveCall() { calls_.fetch_sub(1, std::memory_order_relaxed); }

  // Runs the handler; exceptions become UNKNOWN.
  GrpcReply Handle(const GrpcCall& call) {
    try {
      return handler_(call);
    } catch (const std::exception& e) {
      return GrpcReply::Error(kUnknown, std::string("handler failed: ") + e.what());
    } catch (...) {
      return GrpcReply::Error(kUnknown, "handler failed");
    }
  }

 private:
  void Listen();
  bool AcquireConnection() {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ || connections_ >= options_.max_connections) return false;
    ++connections_;
    return true;
  }

  const Options options_;
  const GrpcHandler handler_;
  int listen_fd_ = -1;
  int stop_fd_ = -1;
  int port_ = 0;
  std::thread listener_;

  std::mutex stop_mu_;  // held through Stop(): a second caller waits for the first
  bool stopped_ = false;

  std::mutex mu_;
  bool stopping_ = false;
  size_t connections_ = 0;
  std::atomic<size_t> calls_{0};  // in handlers
  TaskThreads threads_;           // closed by Stop() when stopping_ is set
};

namespace {

using Impl = GrpcTransport::Impl;

// One accepted socket and its HTTP/2 session (see the file comment for
// which thread touches what). Counted in Impl's connections from the accept
// (AcquireConnection) to its destruction.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(Impl& impl, int fd, std::string remote_addr)
      : slot_{impl},
        impl_(impl),
        options_(impl.options()),
        io_(fd, options_.tls.get()),
        remote_addr_(std::move(remote_addr)) {}
  ~Connection() { Close(); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // The handshake, then Loop(); a task of its own.
  void Serve();

 private:
  // Releases the connection's count last, once every member is gone.
  struct Slot {
    Impl& impl;
    ~Slot() { impl.ReleaseConnection(); }
  };
  // Hands the loop to a new task when the handler running on it is about to
  // wait (fake/about_to_wait.h).
  class LoopHandoff final : public WaitNotice {
   public:
    explicit LoopHandoff(Connection& connection) : connection_(connection) {}
    void BeforeWait() override {
      // Refused only once stopping: the loop then waits with the handler,
      // which Stop()'s on_stop releases.
      moved = connection_.impl_.RunTask([self = connection_.shared_from_this()] { self->Loop(); });
    }
    bool moved = false;

   private:
    Connection& connection_;
  };

  struct Stream {
    explicit Stream(int32_t stream_id, size_t max_message_bytes)
        : id(stream_id), reader(max_message_bytes) {}
    int32_t id;
    GrpcCall call;
    std::string method;
    std::optional<std::string> content_type;
    std::string encoding;
    bool has_te = false;
    size_t header_bytes = 0;
    bool headers_too_large = false;
    bool headers_done = false;
    MessageReader reader;
    size_t buffered = 0;  // this stream's share of Connection::buffered_
    bool dispatched = false;
    bool answered = false;
    // The body being sent (kMessage: the framed message; kHttp: the body).
    std::string out;
    size_t out_pos = 0;
    bool trailers_after_body = false;  // kMessage: grpc-status 0 after the body
    // A fault being performed (PerformFault).
    bool paced = false;  // dribble: DATA of chunk_bytes, one chunk per pause
    size_t chunk_bytes = 0;
    Clock::duration pause{};
    Clock::time_point next_chunk_at{};
    bool data_deferred = false;      // the body waits for next_chunk_at (ReadBodyCb)
    bool cut_after_body = false;     // partial: `out` is all there is; then the reset
    std::optional<GrpcReply> later;  // dribble of a Trailers-Only answer: sent at later_at
    Clock::time_point later_at{};
    std::optional<Clock::time_point> stall_until;  // stall: the connection closes then
  };
  // How the connection ends early, for a fault.
  enum class End { kNo, kReset, kClose, kResetOnceSent };

  bool Setup();
  // Serves the connection until it ends (then Close()s it), or until a
  // handler running on this thread hands the loop to another task (then
  // returns at once, touching nothing more).
  void Loop();
  // Runs the calls in ready_ on this thread; false when the loop was handed
  // off meanwhile.
  bool RunReadyCalls();
  // Ends the session and closes the socket and the Mailbox; idempotent.
  void Close();
  bool Flush();
  // Reads and feeds nghttp2; false at EOF or on a socket error.
  bool Read();
  void DeliverReplies();
  void CheckDeadlines(Clock::time_point now);
  Clock::time_point NextTimer() const;
  Stream* Find(int32_t id) {
    auto it = streams_.find(id);
    return it == streams_.end() ? nullptr : it->second.get();
  }
  size_t pending_out() const { return out_.size() - out_pos_; }

  void OnHeader(Stream& s, std::string_view name, std::string_view value);
  void OnHeadersDone(Stream& s);
  void OnData(Stream& s, std::string_view data);
  void OnEndStream(Stream& s);
  void Dispatch(Stream& s);

  void AnswerStatus(Stream& s, int code, std::string_view message,
                    std::string_view details_bin = {});
  void AnswerMessage(Stream& s, std::string message);
  void AnswerHttp(Stream& s, int status, std::string_view content_type, std::string body);
  void Answer(Stream& s, GrpcReply reply);
  void PerformFault(Stream& s, const api::WireFault& fault, GrpcReply reply);
  void SubmitPartial(Stream& s, const GrpcReply& reply, size_t bytes);
  void CheckFaultTimers(Clock::time_point now);
  // Ends the connection as end_ asks once that can be done; true when done.
  bool EndEarly();
  void ResetSocket();
  void CloseAfterLinger();

  static int OnBeginHeadersCb(nghttp2_session*, const nghttp2_frame* frame, void* user);
  static int OnHeaderCb(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name,
                        size_t namelen, const uint8_t* value, size_t valuelen, uint8_t flags,
                        void* user);
  static int OnFrameRecvCb(nghttp2_session*, const nghttp2_frame* frame, void* user);
  static int OnDataChunkCb(nghttp2_session*, uint8_t flags, int32_t stream_id, const uint8_t* data,
                           size_t len, void* user);
  static int OnStreamCloseCb(nghttp2_session*, int32_t stream_id, uint32_t error_code, void* user);
  static int OnFrameSendCb(nghttp2_session* session, const nghttp2_frame* frame, void* user);
  static ssize_t ReadBodyCb(nghttp2_session* session, int32_t stream_id, uint8_t* buf,
                            size_t length, uint32_t* data_flags, nghttp2_data_source* source,
                            void* user);

  Slot slot_;  // first: destroyed last
  Impl& impl_;
  const GrpcTransport::Options& options_;
  tls::SocketIo io_;
  const std::string remote_addr_;
  Mailbox mailbox_;  // the one member a handler that waited touches
  nghttp2_session* session_ = nullptr;
  bool closed_ = false;
  std::map<int32_t, std::unique_ptr<Stream>> streams_;
  std::deque<int32_t> ready_;  // complete calls waiting to run, by stream id
  size_t buffered_ = 0;        // request message bytes held by streams
  std::string out_;
  size_t out_pos_ = 0;
  Clock::time_point last_write_progress_ = Clock::now();
  bool got_preface_ = false;
  Clock::time_point preface_deadline_;
  End end_ = End::kNo;
};

bool Connection::Setup() {
  if (!mailbox_.ok()) return false;
  nghttp2_session_callbacks* cbs = nullptr;
  if (nghttp2_session_callbacks_new(&cbs) != 0) return false;
  nghttp2_session_callbacks_set_on_begin_headers_callback(cbs, OnBeginHeadersCb);
  nghttp2_session_callbacks_set_on_header_callback(cbs, OnHeaderCb);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, OnFrameRecvCb);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, OnDataChunkCb);
  nghttp2_session_callbacks_set_on_stream_close_callback(cbs, OnStreamCloseCb);
  nghttp2_session_callbacks_set_on_frame_send_callback(cbs, OnFrameSendCb);
  nghttp2_option* opt = nullptr;
  if (nghttp2_option_new(&opt) != 0) {
    nghttp2_session_callbacks_del(cbs);
    return false;
  }
  // Streams the client opens beyond MAX_CONCURRENT_STREAMS before it has
  // acknowledged our SETTINGS are refused too.
  int rv = nghttp2_session_server_new2(&session_, cbs, this, opt);
  nghttp2_option_del(opt);
  nghttp2_session_callbacks_del(cbs);
  if (rv != 0) {
    session_ = nullptr;
    return false;
  }
  nghttp2_settings_entry settings[] = {
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS,
       static_cast<uint32_t>(std::min<size_t>(options_.max_concurrent_streams, INT32_MAX))},
      {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE,
       static_cast<uint32_t>(std::min<size_t>(options_.max_header_list_bytes, INT32_MAX))},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, static_cast<uint32_t>(kInitialWindow)},
  };
  if (nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings,
                              sizeof settings / sizeof settings[0]) != 0) {
    return false;
  }
  nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0, kConnectionWindow);
  return true;
}

void Connection::Serve() {
  preface_deadline_ = DeadlineAfter(options_.preface_timeout);
  if (!io_.Handshake(preface_deadline_, impl_.stop_fd()) || !Setup()) {
    Close();
    return;
  }
  Loop();
}

void Connection::Close() {
  if (closed_) return;
  closed_ = true;
  mailbox_.Close();
  ready_.clear();
  streams_.clear();
  if (session_ != nullptr) nghttp2_session_del(session_);
  session_ = nullptr;
  io_.Close();
}

void Connection::Loop() {
  for (;;) {
    if (!RunReadyCalls()) return;  // the loop goes on on another thread
    if (!Flush()) break;
    if (end_ != End::kNo && EndEarly()) break;
    bool want_read = nghttp2_session_want_read(session_) != 0;
    if (!want_read && nghttp2_session_want_write(session_) == 0 && pending_out() == 0) {
      CloseAfterLinger();  // after a GOAWAY: FIN, not a reset for what the client still sent
      break;
    }

    auto now = Clock::now();
    auto next = NextTimer();
    int timeout_ms = -1;
    if (next != Clock::time_point::max()) {
      auto left = next > now ? std::chrono::ceil<milliseconds>(next - now).count() : 0;
      timeout_ms = static_cast<int>(std::min<int64_t>(left, INT_MAX));
    }
    short events = 0;
    if (want_read && pending_out() < kOutHighWater) events |= POLLIN;
    if (pending_out() > 0) events |= POLLOUT;
    // Decrypted bytes already held are read without waiting.
    bool buffered = (events & POLLIN) != 0 && io_.HasBuffered();
    pollfd fds[3] = {{io_.fd(), io_.Events(events), 0},
                     {mailbox_.wake_fd(), POLLIN, 0},
                     {impl_.stop_fd(), POLLIN, 0}};
    int n = ::poll(fds, 3, buffered ? 0 : timeout_ms);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[2].revents != 0) {
      // Stop(): tell the client, without waiting for it.
      nghttp2_session_terminate_session(session_, NGHTTP2_NO_ERROR);
      Flush();
      break;
    }
    if (fds[1].revents != 0) DeliverReplies();
    short readable = io_.Events(POLLIN) | POLLHUP | POLLERR;
    if ((buffered || (fds[0].revents & readable) != 0) && (events & POLLIN) != 0) {
      if (!Read()) break;
    } else if ((fds[0].revents & (POLLHUP | POLLERR)) != 0) {
      break;
    }
    now = Clock::now();
    if (!got_preface_ && now >= preface_deadline_) break;
    if (pending_out() > 0 && now - last_write_progress_ >= options_.write_timeout) break;
    CheckDeadlines(now);
    CheckFaultTimers(now);
  }
  Close();
}

Clock::time_point Connection::NextTimer() const {
  auto next = Clock::time_point::max();
  if (!got_preface_) next = preface_deadline_;
  if (pending_out() > 0) {
    next = std::min(next, last_write_progress_ + options_.write_timeout);
  }
  for (const auto& [id, s] : streams_) {
    if (!s->answered && s->call.deadline) next = std::min(next, *s->call.deadline);
    if (s->data_deferred && !s->cut_after_body) next = std::min(next, s->next_chunk_at);
    if (s->later) next = std::min(next, s->later_at);
    if (s->stall_until) next = std::min(next, *s->stall_until);
  }
  return next;
}

bool Connection::Flush() {
  for (;;) {
    if (out_pos_ == out_.size()) {
      out_.clear();
      out_pos_ = 0;
    } else if (out_pos_ > kOutHighWater) {
      out_.erase(0, out_pos_);
      out_pos_ = 0;
    }
    if (pending_out() == 0) last_write_progress_ = Clock::now();
    while (pending_out() < kOutHighWater) {
      const uint8_t* data = nullptr;
      ssize_t n = nghttp2_session_mem_send(session_, &data);
      if (n < 0) return false;
      if (n == 0) break;
      out_.append(reinterpret_cast<const char*>(data), static_cast<size_t>(n));
    }
    if (pending_out() == 0) return true;
    ssize_t n = io_.Send(out_.data() + out_pos_, pending_out());
    if (n > 0) {
      out_pos_ += static_cast<size_t>(n);
      last_write_progress_ = Clock::now();
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
    return false;
  }
}

bool Connection::Read() {
  uint8_t buf[kReadChunk];
  for (int i = 0; i < kReadsPerWake; ++i) {
    ssize_t n = io_.Recv(buf, sizeof buf);
    if (n == 0) return false;
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno == EAGAIN || errno == EWOULDBLOCK;
    }
    ssize_t rv = nghttp2_session_mem_recv(session_, buf, static_cast<size_t>(n));
    if (rv < 0) {
      // Not HTTP/2 (a bad client preface), a flood, or a callback failure:
      // GOAWAY(PROTOCOL_ERROR); the loop ends once it is sent.
      nghttp2_session_terminate_session(session_, NGHTTP2_PROTOCOL_ERROR);
      return true;
    }
    if (nghttp2_session_want_read(session_) == 0) return true;
    if (static_cast<size_t>(n) < sizeof buf) return true;
  }
  return true;
}

void Connection::DeliverReplies() {
  for (Completion& done : mailbox_.Take()) {
    Stream* s = Find(done.stream_id);
    if (s == nullptr || s->answered) continue;  // reset, closed or answered at its deadline
    Answer(*s, std::move(done.reply));
  }
}

void Connection::CheckDeadlines(Clock::time_point now) {
  // Answering submits frames but closes no stream here: iterating is safe.
  for (auto& [id, s] : streams_) {
    if (!s->answered && s->headers_done && s->call.deadline && *s->call.deadline <= now) {
      AnswerStatus(*s, kDeadlineExceeded, "Deadline Exceeded");
    }
  }
}

// The framing and validation of a call (see the header comment).

void Connection::OnHeader(Stream& s, std::string_view name, std::string_view value) {
  s.header_bytes += name.size() + value.size() + 32;  // RFC 9113 §6.5.2's accounting
  if (s.header_bytes > options_.max_header_list_bytes) s.headers_too_large = true;
  if (s.headers_too_large) return;
  if (!name.empty() && name[0] == ':') {
    if (name == ":method") {
      s.method.assign(value);
    } else if (name == ":path") {
      s.call.path.assign(value);
    }
    return;
  }
  if (name == "content-type") {
    s.content_type.emplace(value);
  } else if (name == "te") {
    s.has_te = true;  // nghttp2 resets a stream whose te is not "trailers"
  } else if (name == "grpc-encoding") {
    s.encoding.assign(value);
  } else if (name == "grpc-timeout") {
    if (auto timeout = ParseGrpcTimeout(value)) s.call.deadline = DeadlineAfter(*timeout);
  }
  s.call.metadata.emplace_back(std::string(name), std::string(value));
}

void Connection::OnHeadersDone(Stream& s) {
  s.headers_done = true;
  if (s.headers_too_large) {
    s.call.metadata.clear();
    AnswerStatus(s, kResourceExhausted,
                 "received metadata size exceeds limit (" + std::to_string(s.header_bytes) +
                     " vs. " + std::to_string(options_.max_header_list_bytes) + ")");
    return;
  }
  if (!s.content_type || s.content_type->rfind("application/grpc", 0) != 0) {
    AnswerHttp(s, 415, "text/plain; charset=UTF-8",
               "invalid gRPC request content-type \"" + s.content_type.value_or("") + "\"\n");
    return;
  }
  if (s.method != "POST") {
    AnswerStatus(s, kUnknown, "Bad method header");
    return;
  }
  if (!s.has_te) {
    AnswerStatus(s, kUnknown, "Missing :te header");
    return;
  }
  s.call.remote_addr = remote_addr_;
}

void Connection::OnData(Stream& s, std::string_view data) {
  if (s.answered || s.dispatched || !s.headers_done) return;
  if (buffered_ + data.size() > options_.max_buffered_bytes) {
    AnswerStatus(s, kResourceExhausted,
                 "request bytes buffered on this connection exceed " +
                     std::to_string(options_.max_buffered_bytes));
    return;
  }
  MessageReader::Result r = s.reader.Feed(data);
  buffered_ += s.reader.buffered() - s.buffered;
  s.buffered = s.reader.buffered();
  switch (r) {
    case MessageReader::Result::kOk:
      break;
    case MessageReader::Result::kTooLarge:
      AnswerStatus(s, kResourceExhausted,
                   "Received message larger than max (" +
                       std::to_string(s.reader.declared_length()) + " vs. " +
                       std::to_string(options_.max_message_bytes) + ")");
      return;
    case MessageReader::Result::kTooMany:
      AnswerStatus(s, kInternal, "Too many requests");
      return;
    case MessageReader::Result::kBadFlag:
      AnswerStatus(s, kInternal, "grpc: invalid compressed flag in message prefix");
      return;
  }
  if (s.reader.compressed()) {
    if (s.encoding.empty() || s.encoding == "identity") {
      AnswerStatus(s, kInternal, "grpc: compressed flag set with identity or empty encoding");
    } else {
      AnswerStatus(s, kUnimplemented,
                   "Compression algorithm '" + s.encoding + "' is not supported");
    }
  }
}

void Connection::OnEndStream(Stream& s) {
  if (s.answered || s.dispatched || !s.headers_done) return;
  if (!s.reader.complete()) {
    AnswerStatus(s, kInternal,
                 s.reader.started() ? "Half-closed with an incomplete request message"
                                    : "Half-closed without a request");
    return;
  }
  if (s.call.deadline && *s.call.deadline <= Clock::now()) {
    AnswerStatus(s, kDeadlineExceeded, "Deadline Exceeded");
    return;
  }
  Dispatch(s);
}

// Called inside nghttp2's callbacks: the call runs once nghttp2 has returned
// (RunReadyCalls, at the top of the loop).
void Connection::Dispatch(Stream& s) {
  s.dispatched = true;
  ready_.push_back(s.id);
}

bool Connection::RunReadyCalls() {
  while (!ready_.empty()) {
    Stream* s = Find(ready_.front());
    ready_.pop_front();
    // Reset, closed, or answered at its deadline (CheckDeadlines ran since
    // OnEndStream queued it).
    if (s == nullptr || s->answered) continue;
    if (!impl_.EnterCall()) {
      AnswerStatus(*s, kResourceExhausted, "too many concurrent calls");
      continue;
    }
    // The handler gets a call of its own: the stream may be gone (a handoff)
    // before it returns.
    GrpcCall call = std::move(s->call);
    call.message = s->reader.TakeMessage();
    s->call = GrpcCall{};
    s->call.deadline = call.deadline;  // the loop still times the answer
    buffered_ -= s->buffered;
    s->buffered = 0;
    const int32_t id = s->id;
    LoopHandoff handoff(*this);
    GrpcReply reply;
    {
      ScopedWaitNotice notice(&handoff);
      reply = impl_.Handle(call);
    }
    impl_.LeaveCall();
    if (handoff.moved) {
      mailbox_.Post(Completion{id, std::move(reply)});
      return false;
    }
    // Nothing else ran on this connection meanwhile: `s` is still its stream.
    if (call.deadline && *call.deadline <= Clock::now()) {
      AnswerStatus(*s, kDeadlineExceeded, "Deadline Exceeded");
    } else {
      Answer(*s, std::move(reply));
    }
  }
  return true;
}

// Answers.

void Connection::AnswerStatus(Stream& s, int code, std::string_view message,
                              std::string_view details_bin) {
  s.answered = true;
  buffered_ -= s.buffered;
  s.buffered = 0;
  std::string code_text = std::to_string(code);
  std::string encoded = PercentEncode(message);
  std::string details = Base64EncodeUnpadded(details_bin);
  std::vector<nghttp2_nv> nv = {Nv(":status", "200"), Nv("content-type", "application/grpc"),
                                Nv("grpc-accept-encoding", "identity"),
                                Nv("grpc-status", code_text)};
  if (!encoded.empty()) nv.push_back(Nv("grpc-message", encoded));
  if (!details.empty()) nv.push_back(Nv("grpc-status-details-bin", details));
  if (nghttp2_submit_response(session_, s.id, nv.data(), nv.size(), nullptr) != 0) {
    nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, s.id, NGHTTP2_INTERNAL_ERROR);
  }
}

void Connection::AnswerMessage(Stream& s, std::string message) {
  s.answered = true;
  s.out = FrameMessage(message);
  s.out_pos = 0;
  s.trailers_after_body = true;
  nghttp2_nv nv[] = {Nv(":status", "200"), Nv("content-type", "application/grpc"),
                     Nv("grpc-accept-encoding", "identity")};
  nghttp2_data_provider body{};
  body.read_callback = ReadBodyCb;
  if (nghttp2_submit_response(session_, s.id, nv, 3, &body) != 0) {
    nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, s.id, NGHTTP2_INTERNAL_ERROR);
  }
}

void Connection::AnswerHttp(Stream& s, int status, std::string_view content_type,
                            std::string body) {
  s.answered = true;
  buffered_ -= s.buffered;
  s.buffered = 0;
  if (status < 200 || status > 999) status = 502;  // no 1xx: an answer is final
  std::string status_text = std::to_string(status);
  std::vector<nghttp2_nv> nv = {Nv(":status", status_text)};
  if (!content_type.empty()) nv.push_back(Nv("content-type", content_type));
  s.out = std::move(body);
  s.out_pos = 0;
  s.trailers_after_body = false;
  nghttp2_data_provider provider{};
  provider.read_callback = ReadBodyCb;
  if (nghttp2_submit_response(session_, s.id, nv.data(), nv.size(),
                              s.out.empty() ? nullptr : &provider) != 0) {
    nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, s.id, NGHTTP2_INTERNAL_ERROR);
  }
}

void Connection::Answer(Stream& s, GrpcReply reply) {
  if (reply.fault) {
    const api::WireFault fault = *reply.fault;
    reply.fault.reset();
    PerformFault(s, fault, std::move(reply));
    return;
  }
  switch (reply.kind) {
    case GrpcReply::Kind::kMessage:
      AnswerMessage(s, std::move(reply.message));
      return;
    case GrpcReply::Kind::kStatus:
      AnswerStatus(s, reply.code, reply.status_message, reply.details_bin);
      return;
    case GrpcReply::Kind::kHttp:
      AnswerHttp(s, reply.http_status, reply.content_type, std::move(reply.body));
      return;
  }
}

// Faults (see the header comment). Each marks the stream answered, so that
// the transport answers no deadline of its own for it.

void Connection::PerformFault(Stream& s, const api::WireFault& fault, GrpcReply reply) {
  s.answered = true;
  buffered_ -= s.buffered;
  s.buffered = 0;
  const Clock::time_point now = Clock::now();
  switch (fault.kind) {
    case api::WireFault::Kind::kReset:
      end_ = End::kReset;
      return;
    case api::WireFault::Kind::kCloseBeforeResponse:
      end_ = End::kClose;
      return;
    case api::WireFault::Kind::kPartialThenClose:
      SubmitPartial(s, reply, fault.bytes);
      return;
    case api::WireFault::Kind::kStall:
      s.stall_until = now + fault.duration;
      return;
    case api::WireFault::Kind::kDribble:
      if (reply.kind == GrpcReply::Kind::kStatus) {  // one HEADERS frame: it waits one pause
        s.later = std::move(reply);
        s.later_at = now + fault.duration;
        return;
      }
      s.paced = true;
      s.chunk_bytes = std::max<size_t>(fault.bytes, 1);
      s.pause = fault.duration;
      s.next_chunk_at = now;
      Answer(s, std::move(reply));
      return;
    case api::WireFault::Kind::kGoaway: {
      const int32_t last_stream_id = s.id > 2 ? s.id - 2 : 0;  // client streams are odd
      const uint32_t code = api::CodeOf(fault);
      // NO_ERROR: a drain (streams up to last_stream_id are still answered,
      // nghttp2 closes the ones above, and the loop ends once none is left);
      // an error: the connection ends once the GOAWAY is sent.
      int rv =
          code == api::kHttp2NoError
              ? nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE, last_stream_id, code, nullptr, 0)
              : nghttp2_session_terminate_session2(session_, last_stream_id, code);
      if (rv != 0) end_ = End::kReset;
      return;
    }
    case api::WireFault::Kind::kRstStream:
      if (nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, s.id, api::CodeOf(fault)) != 0) {
        end_ = End::kReset;
      }
      return;
  }
}

// The answer's HEADERS and the first `bytes` bytes of its DATA; once they
// are on the wire, the connection is reset (EndEarly).
void Connection::SubmitPartial(Stream& s, const GrpcReply& reply, size_t bytes) {
  std::string status_text = "200";
  std::vector<nghttp2_nv> nv;
  std::string body;
  switch (reply.kind) {
    case GrpcReply::Kind::kMessage:
      body = FrameMessage(reply.message);
      [[fallthrough]];
    case GrpcReply::Kind::kStatus:  // the status is in the trailers, never sent
      nv = {Nv(":status", status_text), Nv("content-type", "application/grpc"),
            Nv("grpc-accept-encoding", "identity")};
      break;
    case GrpcReply::Kind::kHttp:
      status_text = std::to_string(
          reply.http_status < 200 || reply.http_status > 999 ? 502 : reply.http_status);
      nv = {Nv(":status", status_text)};
      if (!reply.content_type.empty()) nv.push_back(Nv("content-type", reply.content_type));
      body = reply.body;
      break;
  }
  body.resize(std::min(body.size(), bytes));
  s.out = std::move(body);
  s.out_pos = 0;
  s.trailers_after_body = false;
  s.cut_after_body = true;
  int rv;
  if (s.out.empty()) {
    end_ = End::kResetOnceSent;  // the HEADERS are all there is
    rv = nghttp2_submit_headers(session_, NGHTTP2_FLAG_NONE, s.id, nullptr, nv.data(), nv.size(),
                                nullptr);
  } else {
    nghttp2_data_provider provider{};
    provider.read_callback = ReadBodyCb;
    rv = nghttp2_submit_response(session_, s.id, nv.data(), nv.size(), &provider);
  }
  if (rv != 0) end_ = End::kReset;
}

void Connection::CheckFaultTimers(Clock::time_point now) {
  for (auto& [id, s] : streams_) {
    if (s->data_deferred && !s->cut_after_body && s->next_chunk_at <= now) {
      s->data_deferred = false;
      nghttp2_session_resume_data(session_, id);
    }
    if (s->later && s->later_at <= now) {
      GrpcReply reply = std::move(*s->later);
      s->later.reset();
      Answer(*s, std::move(reply));
    }
    if (s->stall_until && *s->stall_until <= now) {
      s->stall_until.reset();
      end_ = End::kClose;  // the client did not give up on the stalled stream first
    }
  }
}

bool Connection::EndEarly() {
  switch (end_) {
    case End::kNo:
      return false;
    case End::kReset:
      ResetSocket();
      return true;
    case End::kClose:
      CloseAfterLinger();
      return true;
    case End::kResetOnceSent: {
      if (pending_out() > 0) return false;  // Flush() goes on sending
      // RST discards what the kernel has not sent yet: wait (bounded) until
      // the partial answer has left.
      const Clock::time_point until = DeadlineAfter(options_.write_timeout);
      int unsent = 0;
      while (::ioctl(io_.fd(), SIOCOUTQ, &unsent) == 0 && unsent > 0 && Clock::now() < until) {
        pollfd stop = {impl_.stop_fd(), POLLIN, 0};
        if (::poll(&stop, 1, 1) != 0) break;
      }
      ResetSocket();
      return true;
    }
  }
  return true;
}

// RST, discarding what is unsent (and, over TLS, without close_notify).
void Connection::ResetSocket() { io_.Reset(); }

// FIN (after close_notify over TLS), then what the client still sends is
// read and dropped until it closes too (at most kMaxLinger, or until
// Stop()), so that it sees the FIN rather than a reset for unread data.
void Connection::CloseAfterLinger() {
  io_.ShutdownWrite();
  const Clock::time_point until = DeadlineAfter(kMaxLinger);
  char buf[4096];
  for (;;) {
    ssize_t got = io_.Recv(buf, sizeof buf);
    if (got > 0 || (got < 0 && errno == EINTR)) continue;
    if (got == 0 || errno != EAGAIN) return;
    const auto now = Clock::now();
    if (now >= until) return;
    pollfd fds[2] = {{io_.fd(), io_.Events(POLLIN), 0}, {impl_.stop_fd(), POLLIN, 0}};
    int left = static_cast<int>(std::chrono::ceil<milliseconds>(until - now).count());
    int n = ::poll(fds, 2, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || fds[1].revents != 0) return;
  }
}

// nghttp2 callbacks. They never fail the session: a problem with one stream
// is answered on that stream.

int Connection::OnBeginHeadersCb(nghttp2_session*, const nghttp2_frame* frame, void* user) {
  auto* c = static_cast<Connection*>(user);
  if (frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST) {
    int32_t id = frame->hd.stream_id;
    c->streams_[id] = std::make_unique<Stream>(id, c->options_.max_message_bytes);
  }
  return 0;
}

int Connection::OnHeaderCb(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name,
                           size_t namelen, const uint8_t* value, size_t valuelen, uint8_t,
                           void* user) {
  auto* c = static_cast<Connection*>(user);
  if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) {
    return 0;  // a client's trailers: gRPC clients send none; ignored
  }
  Stream* s = c->Find(frame->hd.stream_id);
  if (s == nullptr) return 0;
  c->OnHeader(*s, std::string_view(reinterpret_cast<const char*>(name), namelen),
              std::string_view(reinterpret_cast<const char*>(value), valuelen));
  return 0;
}

int Connection::OnFrameRecvCb(nghttp2_session*, const nghttp2_frame* frame, void* user) {
  auto* c = static_cast<Connection*>(user);
  switch (frame->hd.type) {
    case NGHTTP2_SETTINGS:
      if ((frame->hd.flags & NGHTTP2_FLAG_ACK) == 0) c->got_preface_ = true;
      return 0;
    case NGHTTP2_HEADERS: {
      Stream* s = c->Find(frame->hd.stream_id);
      if (s == nullptr) return 0;
      if (frame->headers.cat == NGHTTP2_HCAT_REQUEST) c->OnHeadersDone(*s);
      if ((frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0) c->OnEndStream(*s);
      return 0;
    }
    case NGHTTP2_DATA: {
      Stream* s = c->Find(frame->hd.stream_id);
      if (s != nullptr && (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0) c->OnEndStream(*s);
      return 0;
    }
    default:
      return 0;
  }
}

int Connection::OnDataChunkCb(nghttp2_session*, uint8_t, int32_t stream_id, const uint8_t* data,
                              size_t len, void* user) {
  auto* c = static_cast<Connection*>(user);
  Stream* s = c->Find(stream_id);
  if (s != nullptr) c->OnData(*s, std::string_view(reinterpret_cast<const char*>(data), len));
  return 0;
}

int Connection::OnStreamCloseCb(nghttp2_session*, int32_t stream_id, uint32_t, void* user) {
  auto* c = static_cast<Connection*>(user);
  auto it = c->streams_.find(stream_id);
  if (it != c->streams_.end()) {
    c->buffered_ -= it->second->buffered;
    c->streams_.erase(it);  // a reply still to come finds nothing and is dropped
  }
  return 0;
}

int Connection::OnFrameSendCb(nghttp2_session* session, const nghttp2_frame* frame, void*) {
  // Our answer ended the stream before the client half-closed it: reset it
  // with NO_ERROR so the client stops sending (RFC 9113 §8.1).
  bool ends_stream = (frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA) &&
                     (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0;
  if (ends_stream && nghttp2_session_get_stream_remote_close(session, frame->hd.stream_id) == 0) {
    nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, frame->hd.stream_id, NGHTTP2_NO_ERROR);
  }
  return 0;
}

ssize_t Connection::ReadBodyCb(nghttp2_session* session, int32_t stream_id, uint8_t* buf,
                               size_t length, uint32_t* data_flags, nghttp2_data_source*,
                               void* user) {
  auto* c = static_cast<Connection*>(user);
  Stream* s = c->Find(stream_id);
  if (s == nullptr) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
  if (s->cut_after_body && s->out_pos == s->out.size()) {  // partial: never an end
    s->data_deferred = true;
    return NGHTTP2_ERR_DEFERRED;
  }
  if (s->paced) {
    const Clock::time_point now = Clock::now();
    if (now < s->next_chunk_at) {
      s->data_deferred = true;  // CheckFaultTimers resumes it
      return NGHTTP2_ERR_DEFERRED;
    }
    length = std::min(length, s->chunk_bytes);
    s->next_chunk_at = now + s->pause;
  }
  size_t n = std::min(length, s->out.size() - s->out_pos);
  std::memcpy(buf, s->out.data() + s->out_pos, n);
  s->out_pos += n;
  if (s->cut_after_body) {
    if (s->out_pos == s->out.size()) c->end_ = End::kResetOnceSent;
    return static_cast<ssize_t>(n);
  }
  if (s->out_pos == s->out.size()) {
    *data_flags |= NGHTTP2_DATA_FLAG_EOF;
    std::string().swap(s->out);
    s->out_pos = 0;
    if (s->trailers_after_body) {
      nghttp2_nv trailers[] = {Nv("grpc-status", "0")};
      if (nghttp2_submit_trailer(session, stream_id, trailers, 1) != 0) {
        return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
      }
      *data_flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
    }
  }
  return static_cast<ssize_t>(n);
}

}  // namespace

Status GrpcTransport::Impl::Start() {
  stop_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (stop_fd_ < 0) {
    return Status(StatusCode::kUnavailable, std::string("eventfd: ") + std::strerror(errno));
  }
  const std::string where = HostPort(options_.host, options_.port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* res = nullptr;
  std::string port_text = std::to_string(options_.port);
  int gai = ::getaddrinfo(options_.host.c_str(), port_text.c_str(), &hints, &res);
  if (gai != 0) {
    return Status(StatusCode::kUnavailable,
                  "cannot listen on " + where + ": " + ::gai_strerror(gai));
  }
  int err = 0;
  for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
    int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      err = errno;
      continue;
    }
    int yes = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    if (::bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && ::listen(fd, kListenBacklog) == 0) {
      listen_fd_ = fd;
      break;
    }
    err = errno;
    ::close(fd);
  }
  ::freeaddrinfo(res);
  if (listen_fd_ < 0) {
    return Status(StatusCode::kUnavailable,
                  "cannot listen on " + where + ": " + std::strerror(err));
  }
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    if (addr.ss_family == AF_INET) {
      port_ = ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
    } else if (addr.ss_family == AF_INET6) {
      port_ = ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
    }
  }
  listener_ = std::thread([this] { Listen(); });
  return Status();
}

void GrpcTransport::Impl::Listen() {
  for (;;) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    int n = ::poll(fds, 2, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents != 0) return;
    if (fds[0].revents == 0) continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        // Out of descriptors: back off a little instead of spinning.
        pollfd stop = {stop_fd_, POLLIN, 0};
        ::poll(&stop, 1, 10);
      }
      continue;
    }
    if (!AcquireConnection()) {
      ::close(fd);  // over max_connections, or stopping
      continue;
    }
    int yes = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
    // Refused (stopping): the connection, unserved, closes the socket.
    auto connection = std::make_shared<Connection>(*this, fd, PeerAddress(fd));
    RunTask([connection = std::move(connection)] { connection->Serve(); });
  }
}

void GrpcTransport::Impl::Stop() {
  std::lock_guard<std::mutex> stop_lock(stop_mu_);
  if (stopped_) return;
  stopped_ = true;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;  // no connection starts from now on
  }
  threads_.Close();  // nor any task
  if (stop_fd_ >= 0) WakeEventfd(stop_fd_);
  if (listener_.joinable()) listener_.join();
  if (options_.on_stop) options_.on_stop();
  threads_.Wait();  // every task has ended, and every Connection is gone with them
  if (listen_fd_ >= 0) ::close(listen_fd_);
  listen_fd_ = -1;
  if (stop_fd_ >= 0) ::close(stop_fd_);
  stop_fd_ = -1;
}

StatusOr<std::unique_ptr<GrpcTransport>> GrpcTransport::Start(const Options& options,
                                                              GrpcHandler handler) {
  auto impl = std::make_unique<Impl>(options, std::move(handler));
  Status status = impl->Start();
  if (!status.ok()) return status;
  return std::unique_ptr<GrpcTransport>(new GrpcTransport(std::move(impl)));
}

GrpcTransport::GrpcTransport(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

GrpcTransport::~GrpcTransport() { Stop(); }

int GrpcTransport::port() const { return impl_->port(); }

const std::string& GrpcTransport::host() const { return impl_->host(); }

void GrpcTransport::Stop() { impl_->Stop(); }

}  // namespace nasfake::grpc
