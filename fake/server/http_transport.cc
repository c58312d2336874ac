// HttpTransport on Debian's compiled cpp-httplib 0.11.4 (see the header for
// the traps it removes). httplib keeps parsing request lines and headers,
// reading bodies (Content-Length and chunked) and formatting responses; this
// file owns everything around that:
//
// - Impl subclasses httplib::Server and overrides the private virtual
//   process_and_close_socket(), so each accepted socket runs our keep-alive
//   loop, which calls the protected process_request() once per request with
//   our own httplib::Stream (ConnStream) around the socket.
// - ConnStream buffers reads, waits with poll() on the socket and on a stop
//   eventfd (so Stop() wakes every idle or blocked connection at once), and
//   enforces the per-request deadline (read_timeout) and the size bounds
//   (max_header_bytes for the request line and headers, max_body_bytes for
//   the body, plus framing slack for chunked bodies).
// - new_task_queue is a growing thread pool (ConnectionPool): one thread per
//   live connection, idle threads reused, at most max_connections threads;
//   beyond that a new connection is closed at once.
// - setup_request (called by process_request between the headers and
//   routing) re-parses the raw header bytes ConnStream recorded, so the
//   handler sees the raw request-target and raw header values (0.11.4
//   percent-decodes both), and neutralises what httplib must not do:
//   compress answers (Accept-Encoding is removed), decompress request bodies
//   (Content-Encoding is hidden from httplib; the handler sees the raw
//   bytes), serve byte ranges, or read a body up to EOF.
// - Wire faults: the catch-all handler marks the connection; ConnStream then
//   captures the bytes httplib writes for that response instead of sending
//   them, and the keep-alive loop performs the fault on exactly those bytes.
// - Every byte goes through the connection's tls::SocketIo: the socket
//   itself in plaintext, OpenSSL's records with Options::tls, whose
//   handshake runs on the connection's thread before the first request.
// - One send per answer: httplib writes a response's head and body in two
//   writes; ConnStream holds the head and sends it with the body (bodies up
//   to kCoalescedBodyBytes), which saves a send and a wake-up of the client
//   per answer.
//
// What the handler sees: method; target = the raw request-target (fragment
// included, nothing decoded); headers in wire order, names lowercased, values
// raw (trimmed of surrounding blanks); the raw body; remote_addr = "ip:port"
// ("[ip6]:port" for IPv6). The handler runs on the connection's thread and
// may be called concurrently for different connections.
//
// Answers the transport gives by itself (plain text, then the connection is
// closed): 408 when a request is not read within read_timeout, 413 for a body
// over max_body_bytes (a declared Content-Length over the bound is refused
// before any body byte is read), 431 for a header block over
// max_header_bytes (414 when the request line alone is), 400 for an invalid
// Content-Length, 501 for a Transfer-Encoding other than chunked. httplib
// itself answers a request it cannot parse (400, 414, 416 for a malformed
// Range) and the connection is then closed.
//
// Keep-alive: no request limit per connection; an idle connection is closed
// after kIdleTimeout (advertised in the Keep-Alive header); a connection that
// sends no complete first request within read_timeout of the accept is
// closed. After a kDribble fault has sent the whole response the connection
// stays usable (unless the request asked to close it); every other fault ends
// the connection.
#include "fake/server/http_transport.h"

#include <fcntl.h>
#include <httplib.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <strings.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <deque>
#include <exception>
#include <limits>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "fake/errors.h"
#include "fake/tls/socket_io.h"

namespace nasfake::server {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr int kListenBacklog = 1024;
// How long a keep-alive connection may sit idle between requests.
constexpr std::chrono::seconds kIdleTimeout{120};
// Advertised as Keep-Alive "max"; there is no limit.
constexpr size_t kAdvertisedKeepAliveMax = std::numeric_limits<int>::max();
constexpr size_t kReadBufferSize = 16 * 1024;
// Answers with a body up to this size leave in one send with their head.
constexpr size_t kCoalescedBodyBytes = 16 * 1024;
// Chunk-size lines and CRLFs a chunked body may add to max_body_bytes.
constexpr size_t kChunkFramingSlack = 64 * 1024;
// After an error answer, how long the client may keep sending before the
// socket is closed (so it can read the answer instead of getting a reset).
constexpr milliseconds kMaxLinger{1000};
// Matched against req.path, which setup_request sets to "/" (the raw target
// travels separately), so libstdc++'s recursive regex never sees a long path.
constexpr const char* kAnyPath = ".*";

// Set on the accept thread while the pool refuses a connection.
thread_local bool t_reject_connection = false;

Clock::time_point DeadlineAfter(Clock::duration d) {
  auto now = Clock::now();
  if (d > Clock::time_point::max() - now) return Clock::time_point::max();
  return now + d;
}

enum class Wait { kReady, kTimeout, kStopped, kError };

// Waits until `fd` reports one of `events` (or an error/hang-up), the stop
// eventfd becomes readable, or `deadline` passes. `fd` < 0 just waits for
// stop or the deadline. Stop wins over readiness.
Wait WaitFor(int fd, short events, int stop_fd, Clock::time_point deadline) {
  for (;;) {
    auto now = Clock::now();
    int timeout_ms = 0;
    if (deadline > now) {
      auto left = std::chrono::ceil<milliseconds>(deadline - now).count();
      timeout_ms = static_cast<int>(std::min<int64_t>(left, INT_MAX));
    }
    pollfd fds[2] = {{fd, events, 0}, {stop_fd, POLLIN, 0}};
    int n = ::poll(fds, 2, timeout_ms);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Wait::kError;
    }
    if (fds[1].revents != 0) return Wait::kStopped;
    if (fds[0].revents != 0) return Wait::kReady;
    if (Clock::now() >= deadline) return Wait::kTimeout;
  }
}

// WaitFor for a connection: bytes the connection already holds (decrypted
// TLS) are ready at once, and TLS may wait on the other direction.
Wait WaitForIo(const tls::SocketIo& io, short events, int stop_fd, Clock::time_point deadline) {
  if ((events & POLLIN) != 0 && io.HasBuffered()) return Wait::kReady;
  return WaitFor(io.fd(), io.Events(events), stop_fd, deadline);
}

void SetAddress(const sockaddr_storage& addr, socklen_t len, std::string& ip, int& port) {
  char host[NI_MAXHOST] = {};
  char serv[NI_MAXSERV] = {};
  if (::getnameinfo(reinterpret_cast<const sockaddr*>(&addr), len, host, sizeof host, serv,
                    sizeof serv, NI_NUMERICHOST | NI_NUMERICSERV) == 0) {
    ip = host;
    port = std::atoi(serv);
  }
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

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Whether a comma-separated header value (e.g. Connection) has `token`.
bool HasToken(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    size_t comma = value.find(',');
    if (EqualsIgnoreCase(Trim(value.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

// Parses the raw request head ("METHOD SP target SP version CRLF (name: value
// CRLF)* CRLF") recorded while httplib read it. Lines not ending in CRLF are
// skipped, as httplib skips them.
void ParseHead(std::string_view head, std::string& target, api::HeaderList& headers) {
  size_t eol = head.find('\n');
  std::string_view request_line = head.substr(0, eol);
  if (!request_line.empty() && request_line.back() == '\r') request_line.remove_suffix(1);
  size_t first = request_line.find(' ');
  size_t last = request_line.rfind(' ');
  if (first != std::string_view::npos && last > first) {
    std::string_view t = request_line.substr(first + 1, last - first - 1);
    while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
    while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
    target.assign(t);
  }
  while (eol != std::string_view::npos) {
    head.remove_prefix(eol + 1);
    eol = head.find('\n');
    if (eol == std::string_view::npos || eol == 0 || head[eol - 1] != '\r') continue;
    std::string_view line = head.substr(0, eol - 1);
    if (line.empty()) break;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) continue;
    std::string name(line.substr(0, colon));
    for (char& ch : name) {
      if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    }
    headers.emplace_back(std::move(name), std::string(Trim(line.substr(colon + 1))));
  }
}

// Every Content-Length value of `headers`: nullopt when there is none, false
// in `valid` when one is not a decimal number or they disagree.
std::optional<uint64_t> ContentLength(const api::HeaderList& headers, bool& valid) {
  valid = true;
  std::optional<uint64_t> length;
  for (const auto& [name, value] : headers) {
    if (name != "content-length") continue;
    uint64_t v = 0;
    bool ok = !value.empty() && value.size() <= 19;
    for (char ch : value) {
      if (ch < '0' || ch > '9') {
        ok = false;
        break;
      }
      v = v * 10 + static_cast<uint64_t>(ch - '0');
    }
    if (!ok || (length && *length != v)) {
      valid = false;
      return std::nullopt;
    }
    length = v;
  }
  return length;
}

bool IsFramingHeader(std::string_view name) {
  return EqualsIgnoreCase(name, "content-length") || EqualsIgnoreCase(name, "transfer-encoding") ||
         EqualsIgnoreCase(name, "connection") || EqualsIgnoreCase(name, "keep-alive");
}

// Connection threads' stack. The deepest call chain on one is a request
// body's JSON at model::kMaxJsonDepth or a list filter at its nesting bound:
// under 128 KiB optimised (NasJobsApiTest.DeepestAcceptedBodyAndFilterAreServed
// crashes at 64 KiB). glibc keeps up to 40 MiB of exited threads' stacks for
// reuse: with the default 8 MiB, Stop() with 64 idle keep-alive clients spent
// most of its ~5 ms unmapping stacks; 64 of these fit the cache. Unoptimised
// and sanitized frames are several times larger.
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define NASFAKE_LARGE_FRAMES 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__) || !defined(__OPTIMIZE__)
#define NASFAKE_LARGE_FRAMES 1
#endif
#if defined(NASFAKE_LARGE_FRAMES)
constexpr size_t kConnectionThreadStack = 4 << 20;
#else
constexpr size_t kConnectionThreadStack = 512 << 10;
#endif

// The growing pool behind new_task_queue: one thread per live connection,
// idle threads reused, at most `max_threads`. A connection beyond that runs
// on the accept thread with t_reject_connection set, which closes it at once.
class ConnectionPool final : public httplib::TaskQueue {
 public:
  explicit ConnectionPool(size_t max_threads) : max_threads_(max_threads) {}
  ~ConnectionPool() override { shutdown(); }

  void enqueue(std::function<void()> fn) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!shutdown_) {
        jobs_.push_back(std::move(fn));
        if (idle_ > 0) {
          --idle_;  // reserved: that thread takes a job
          cv_.notify_one();
          return;
        }
        if (threads_.size() < max_threads_ && StartThread()) return;
        fn = std::move(jobs_.back());  // no thread for it: refused below
        jobs_.pop_back();
      }
    }
    t_reject_connection = true;
    fn();
    t_reject_connection = false;
  }

  // Runs the queued jobs, then joins every thread (each ends when its
  // connection does). Idempotent.
  void shutdown() override {
    std::vector<pthread_t> threads;
    {
      std::lock_guard<std::mutex> lock(mu_);
      shutdown_ = true;
      threads.swap(threads_);
    }
    cv_.notify_all();
    for (pthread_t t : threads) pthread_join(t, nullptr);
  }

 private:
  // Starts a thread running Work() with kConnectionThreadStack; false when
  // the system refuses. Called with mu_ held.
  bool StartThread() {
    pthread_attr_t attr;
    if (pthread_attr_init(&attr) != 0) return false;
    pthread_t thread;
    bool ok = pthread_attr_setstacksize(&attr, kConnectionThreadStack) == 0 &&
              pthread_create(
                  &thread, &attr,
                  [](void* pool) -> void* {
                    static_cast<ConnectionPool*>(pool)->Work();
                    return nullptr;
                  },
                  this) == 0;
    pthread_attr_destroy(&attr);
    if (ok) threads_.push_back(thread);
    return ok;
  }

  void Work() {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      cv_.wait(lock, [this] { return !jobs_.empty() || shutdown_; });
      if (jobs_.empty()) return;
      std::function<void()> job = std::move(jobs_.front());
      jobs_.pop_front();
      lock.unlock();
      job();
      job = nullptr;
      lock.lock();
      ++idle_;
    }
  }

  const size_t max_threads_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  std::vector<pthread_t> threads_;
  size_t idle_ = 0;  // waiting threads no queued job is promised to
  bool shutdown_ = false;
};

}  // namespace

class HttpTransport::Impl final : public httplib::Server {
 public:
  // Inside Impl, Options and Handler name httplib::Server's members.
  Impl(const HttpTransport::Options& options, HttpTransport::Handler handler)
      : options_(options), handler_(std::move(handler)) {}
  ~Impl() override;

  Status Start();
  void Stop();
  int port() const { return port_; }
  const std::string& host() const { return options_.host; }

 private:
  enum class Failure {
    kNone,
    kTimeout,         // 408
    kHeaderTooLarge,  // 431
    kUriTooLong,      // 414: the request line alone is over max_header_bytes
    kBodyTooLarge,    // 413
    kBadRequest,      // 400
    kNotImplemented,  // 501
    kStopped,         // Stop(): no answer
    kIo,              // socket error or peer gone: no answer
  };

  // One accepted socket; lives on its connection's thread.
  struct Connection {
    Connection(int fd, const tls::ServerContext* tls) : io(fd, tls) {}
    tls::SocketIo io;
    std::string peer_ip;
    int peer_port = -1;
    std::string local_ip;
    int local_port = -1;
    std::string remote_addr;
    std::unique_ptr<char[]> buf{new char[kReadBufferSize]};
    size_t buf_pos = 0;
    size_t buf_len = 0;
    // ConnStream::read hands out buf[buf_pos, fast_end) without accounting
    // (httplib reads the head a byte at a time); Settle() accounts for
    // buf[mark, buf_pos) in `consumed` and `head`. fast_end never passes
    // buf_len nor the current part's limit, and is buf_pos once a failure is
    // set. mark <= buf_pos <= fast_end <= buf_len.
    size_t fast_end = 0;
    size_t mark = 0;

    // Per request.
    Clock::time_point deadline;
    bool in_body = false;  // set once the header block has been read
    size_t consumed = 0;   // bytes handed to httplib in the current part, up to mark
    size_t body_allowance = 0;
    std::string head;  // the raw request line and headers
    Failure failure = Failure::kNone;
    bool handler_called = false;
    bool close_after = false;
    bool chunked = false;
    std::string target;
    api::HeaderList headers;
    bool capturing = false;  // httplib's writes go to `captured`
    std::string captured;
    std::optional<api::WireFault> fault;
    bool hold_head = false;  // httplib's next write (the head) goes to `held_head`
    std::string held_head;   // sent with the next write, or after process_request

    void Settle() {
      size_t n = buf_pos - mark;
      consumed += n;
      if (!in_body) head.append(buf.get() + mark, n);
      mark = buf_pos;
    }

    void BeginRequest(Clock::time_point request_deadline) {
      deadline = request_deadline;
      mark = fast_end = buf_pos;
      in_body = false;
      consumed = 0;
      body_allowance = 0;
      head.clear();
      failure = Failure::kNone;
      handler_called = false;
      close_after = false;
      chunked = false;
      target.clear();
      headers.clear();
      capturing = false;
      captured.clear();
      fault.reset();
      hold_head = false;
      held_head.clear();
    }
  };

  // httplib's view of a Connection.
  class ConnStream final : public httplib::Stream {
   public:
    ConnStream(Impl& impl, Connection& conn) : impl_(impl), conn_(conn) {}

    bool is_readable() const override {
      return conn_.buf_pos < conn_.buf_len ||
             WaitForIo(conn_.io, POLLIN, impl_.stop_fd_, conn_.deadline) == Wait::kReady;
    }
    bool is_writable() const override {
      return WaitForIo(conn_.io, POLLOUT, impl_.stop_fd_,
                       DeadlineAfter(impl_.options_.read_timeout)) == Wait::kReady;
    }
    ssize_t read(char* ptr, size_t size) override {
      size_t ready = conn_.fast_end - conn_.buf_pos;
      if (ready == 0 || size == 0) return impl_.Read(conn_, ptr, size);
      size_t n = std::min(size, ready);
      const char* from = conn_.buf.get() + conn_.buf_pos;
      if (n == 1) {
        *ptr = *from;
      } else {
        std::memcpy(ptr, from, n);
      }
      conn_.buf_pos += n;
      return static_cast<ssize_t>(n);
    }
    ssize_t write(const char* ptr, size_t size) override {
      if (conn_.failure != Failure::kNone) return -1;
      if (conn_.capturing) {
        conn_.captured.append(ptr, size);
        return static_cast<ssize_t>(size);
      }
      if (conn_.hold_head) {
        conn_.hold_head = false;
        conn_.held_head.assign(ptr, size);
        return static_cast<ssize_t>(size);
      }
      if (!conn_.held_head.empty()) {
        conn_.held_head.append(ptr, size);
        return impl_.SendHeldHead(conn_) ? static_cast<ssize_t>(size) : -1;
      }
      return impl_.SendAll(conn_, ptr, size) ? static_cast<ssize_t>(size) : -1;
    }
    void get_remote_ip_and_port(std::string& ip, int& port) const override {
      ip = conn_.peer_ip;
      port = conn_.peer_port;
    }
    void get_local_ip_and_port(std::string& ip, int& port) const override {
      ip = conn_.local_ip;
      port = conn_.local_port;
    }
    socket_t socket() const override { return conn_.io.fd(); }

   private:
    Impl& impl_;
    Connection& conn_;
  };

  static thread_local Connection* t_conn;

  bool process_and_close_socket(socket_t sock) override;
  void ServeConnection(int fd);
  void SetupRequest(Connection& c, httplib::Request& req);
  void HandleRequest(const httplib::Request& req, httplib::Response& res);
  // Out of line, so ConnStream::read's per-byte fast path stays a leaf.
  [[gnu::noinline]] ssize_t Read(Connection& c, char* ptr, size_t size);
  ssize_t Fill(Connection& c);
  bool SendAll(Connection& c, const char* data, size_t size);
  bool SendHeldHead(Connection& c);
  bool PerformFault(Connection& c);
  void AnswerFailure(Connection& c);
  void CloseNow(Connection& c);
  void CloseAfterLinger(Connection& c);

  const HttpTransport::Options options_;
  const HttpTransport::Handler handler_;
  int stop_fd_ = -1;
  int listen_fd_ = -1;  // our dup of svr_sock_: Stop() shuts it down
  std::atomic<bool> stopping_{false};
  int port_ = 0;
  std::function<void(httplib::Request&)> setup_;
  std::thread listen_thread_;

  std::mutex start_mu_;
  std::condition_variable start_cv_;
  bool accepting_ = false;

  std::mutex stop_mu_;
  bool stopped_ = false;
};

thread_local HttpTransport::Impl::Connection* HttpTransport::Impl::t_conn = nullptr;

HttpTransport::Impl::~Impl() {
  Stop();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  if (stop_fd_ >= 0) ::close(stop_fd_);
}

Status HttpTransport::Impl::Start() {
  if (options_.port < 0 || options_.port > 65535) {
    return Status(StatusCode::kInvalidArgument,
                  "port " + std::to_string(options_.port) + " is out of range 0..65535");
  }
  if (options_.max_connections == 0 || options_.max_header_bytes == 0 ||
      options_.read_timeout <= milliseconds::zero()) {
    return Status(StatusCode::kInvalidArgument,
                  "max_connections, max_header_bytes and read_timeout must be positive");
  }
  stop_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (stop_fd_ < 0) {
    return Status(StatusCode::kInternal, std::string("eventfd: ") + std::strerror(errno));
  }

  // SO_REUSEADDR only: httplib's default SO_REUSEPORT would let two servers
  // share a port.
  set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  set_tcp_nodelay(true);
  set_payload_max_length(options_.max_body_bytes);
  set_keep_alive_max_count(kAdvertisedKeepAliveMax);
  set_keep_alive_timeout(kIdleTimeout.count());
  new_task_queue = [this]() -> httplib::TaskQueue* {
    {
      std::lock_guard<std::mutex> lock(start_mu_);
      accepting_ = true;
    }
    start_cv_.notify_all();
    return new ConnectionPool(options_.max_connections);
  };
  setup_ = [this](httplib::Request& req) { SetupRequest(*t_conn, req); };
  httplib::Server::Handler handler = [this](const httplib::Request& req, httplib::Response& res) {
    HandleRequest(req, res);
  };
  Get(kAnyPath, handler);  // and HEAD
  Post(kAnyPath, handler);
  Put(kAnyPath, handler);
  Patch(kAnyPath, handler);
  Delete(kAnyPath, handler);
  Options(kAnyPath, handler);

  // Resolved first, so an address that is no address says so (httplib
  // reports every failure alike).
  const std::string where = HostPort(options_.host, options_.port);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* resolved = nullptr;
  if (int gai = ::getaddrinfo(options_.host.c_str(), nullptr, &hints, &resolved); gai != 0) {
    return Status(StatusCode::kUnavailable, "cannot listen on " + where + ": \"" + options_.host +
                                                "\" is not an IP address or a known host name (" +
                                                ::gai_strerror(gai) + ")");
  }
  ::freeaddrinfo(resolved);
  errno = 0;
  int port = options_.port == 0 ? bind_to_any_port(options_.host)
                                : (bind_to_port(options_.host, options_.port) ? options_.port : -1);
  int bind_errno = errno;
  if (port > 0 && ::listen(svr_sock_, kListenBacklog) != 0) {  // 0.11.4 listens with 5
    bind_errno = errno;
    ::close(svr_sock_);
    svr_sock_ = INVALID_SOCKET;
    port = -1;
  }
  if (port > 0) {
    listen_fd_ = ::fcntl(svr_sock_, F_DUPFD_CLOEXEC, 0);
    if (listen_fd_ < 0) {
      bind_errno = errno;
      ::close(svr_sock_);
      svr_sock_ = INVALID_SOCKET;
      port = -1;
    }
  }
  if (port <= 0) {
    return Status(StatusCode::kUnavailable, "cannot listen on " + where + ": " +
                                                (bind_errno != 0 ? std::strerror(bind_errno)
                                                                 : "the address cannot be bound"));
  }
  port_ = port;

  listen_thread_ = std::thread([this] {
    listen_after_bind();
    // In case the accept loop ended before asking for its task queue.
    {
      std::lock_guard<std::mutex> lock(start_mu_);
      accepting_ = true;
    }
    start_cv_.notify_all();
  });
  std::unique_lock<std::mutex> lock(start_mu_);
  start_cv_.wait(lock, [this] { return accepting_; });
  return Status();
}

void HttpTransport::Impl::Stop() {
  std::lock_guard<std::mutex> lock(stop_mu_);
  if (stopped_) return;
  stopped_ = true;
  stopping_ = true;
  if (stop_fd_ >= 0) {
    uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(stop_fd_, &one, sizeof one);
  }
  // Shutting down the listening socket (through our own descriptor, so a
  // number httplib may already have closed is never touched) makes accept()
  // fail with EINVAL; the accept loop then closes its descriptor, shuts the
  // pool down (joining every connection thread, all woken by stop_fd_) and
  // returns.
  if (listen_fd_ >= 0) ::shutdown(listen_fd_, SHUT_RDWR);
  if (listen_thread_.joinable()) listen_thread_.join();
  svr_sock_ = INVALID_SOCKET;
}

bool HttpTransport::Impl::process_and_close_socket(socket_t sock) {
  if (t_reject_connection || stopping_) {
    ::close(sock);
    return false;
  }
  ServeConnection(sock);
  return true;
}

void HttpTransport::Impl::ServeConnection(int fd) {
  Connection c(fd, options_.tls.get());
  ::fcntl(fd, F_SETFD, FD_CLOEXEC);  // 0.11.4 accepts without SOCK_CLOEXEC
  int yes = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    SetAddress(addr, len, c.peer_ip, c.peer_port);
  }
  len = sizeof addr;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    SetAddress(addr, len, c.local_ip, c.local_port);
  }
  c.remote_addr = HostPort(c.peer_ip, c.peer_port);

  // The TLS handshake and the first request must arrive whole within
  // read_timeout of the accept; each later request within read_timeout of
  // its first byte, after at most kIdleTimeout of keep-alive silence.
  auto deadline = DeadlineAfter(options_.read_timeout);
  if (!c.io.Handshake(deadline, stop_fd_)) {
    CloseNow(c);
    return;
  }
  ConnStream strm(*this, c);
  t_conn = &c;
  bool linger = false;
  for (bool first = true;; first = false) {
    if (c.buf_pos == c.buf_len &&
        WaitForIo(c.io, POLLIN, stop_fd_, first ? deadline : DeadlineAfter(kIdleTimeout)) !=
            Wait::kReady) {
      break;  // nothing sent in time, Stop(), or a socket error
    }
    if (stopping_) break;
    c.BeginRequest(first ? deadline : DeadlineAfter(options_.read_timeout));
    bool connection_closed = false;
    bool ok = process_request(strm, false, connection_closed, setup_);
    // An answer with no body write (to a HEAD) leaves its head held.
    if (!c.held_head.empty() && !SendHeldHead(c)) ok = false;
    if (c.capturing) {
      c.capturing = false;
      if (!PerformFault(c)) break;
      if (!ok || connection_closed || c.close_after) break;
      continue;
    }
    if (c.failure != Failure::kNone) {
      AnswerFailure(c);
      linger = c.failure != Failure::kTimeout && c.failure != Failure::kStopped &&
               c.failure != Failure::kIo;
      break;
    }
    if (!c.handler_called) {  // httplib answered (or dropped) a request it could not parse
      linger = ok;
      break;
    }
    if (!ok || connection_closed || c.close_after) {
      linger = ok && c.close_after && !connection_closed;
      break;
    }
  }
  t_conn = nullptr;
  if (linger) {
    CloseAfterLinger(c);
  } else {
    CloseNow(c);
  }
}

// Called by process_request once the request line and headers are parsed,
// before routing.
void HttpTransport::Impl::SetupRequest(Connection& c, httplib::Request& req) {
  c.Settle();
  c.fast_end = c.buf_pos;  // the next read takes the body's bounds
  c.in_body = true;
  c.consumed = 0;
  ParseHead(c.head, c.target, c.headers);
  if (c.target.empty()) c.target = req.target;

  req.path = "/";      // routing only; the handler gets the raw target
  req.ranges.clear();  // no byte-range answers
  bool client_close = req.version == "HTTP/1.0";
  for (const auto& [name, value] : c.headers) {
    if (name == "accept-encoding") {
      req.headers.erase("Accept-Encoding");  // no compressed answers
    } else if (name == "content-encoding") {
      req.headers.erase("Content-Encoding");  // no decompression: the handler sees raw bytes
    } else if (name == "connection" && HasToken(value, "close")) {
      client_close = true;
    }
  }

  const std::string& m = req.method;
  bool body_method = m == "POST" || m == "PUT" || m == "PATCH" || m == "DELETE" || m == "PRI";
  bool has_te = req.has_header("Transfer-Encoding");
  c.chunked = has_te && EqualsIgnoreCase(req.get_header_value("Transfer-Encoding"), "chunked");
  bool length_valid = true;
  std::optional<uint64_t> length = ContentLength(c.headers, length_valid);
  if (has_te && !c.chunked) {
    c.failure = Failure::kNotImplemented;
  } else if (!length_valid) {
    c.failure = Failure::kBadRequest;
  } else if (c.chunked) {
    c.body_allowance = 2 * options_.max_body_bytes + kChunkFramingSlack;
    // httplib reads no body for other methods; a body with both framings is
    // suspect. Either way the connection cannot be trusted afterwards.
    if (!body_method || length) c.close_after = true;
    // 0.11.4 reads no body for a DELETE without Content-Length, even a
    // chunked one; with the header present it reads the chunks (chunked wins).
    if (m == "DELETE" && !length) req.set_header("Content-Length", "0");
  } else if (length) {
    if (*length > options_.max_body_bytes) {
      c.failure = Failure::kBodyTooLarge;  // every read fails: nothing of it is read
    } else {
      c.body_allowance = static_cast<size_t>(*length);
      if (!body_method && *length > 0) c.close_after = true;
    }
  } else if (body_method) {
    // No framing means no body (RFC 9112 §6.3); 0.11.4 would read to EOF.
    req.set_header("Content-Length", "0");
  }

  if (client_close) c.close_after = true;
  if (c.close_after) {  // httplib then answers with "Connection: close"
    req.headers.erase("Connection");
    req.set_header("Connection", "close");
  }
}

// The catch-all route: runs the Handler on the connection's thread.
void HttpTransport::Impl::HandleRequest(const httplib::Request& req, httplib::Response& res) {
  Connection* c = t_conn;
  if (c == nullptr || c->failure != Failure::kNone) return;  // answered by the transport
  if (req.body.size() > options_.max_body_bytes) {
    c->failure = Failure::kBodyTooLarge;
    c->fast_end = c->buf_pos;
    return;
  }
  c->handler_called = true;

  api::Request request;
  request.method = req.method;
  request.target = std::move(c->target);
  request.headers = std::move(c->headers);
  // process_request owns a non-const Request and does not use the body after
  // routing: move it instead of copying up to max_body_bytes.
  request.body = std::move(const_cast<httplib::Request&>(req).body);
  request.remote_addr = c->remote_addr;

  api::Response response;
  try {
    response = handler_(std::move(request));
  } catch (const std::exception& e) {
    response = errors::HandlerFailed(e.what());
  } catch (...) {
    response = errors::HandlerFailed("");
  }

  res.status = response.status;
  if (!response.content_type.empty()) res.set_header("Content-Type", response.content_type);
  for (const auto& [name, value] : response.headers) {
    if (IsFramingHeader(name)) continue;
    if (EqualsIgnoreCase(name, "content-type")) res.headers.erase("Content-Type");
    res.set_header(name, value);
  }
  res.body = std::move(response.body);
  if (response.fault) {
    c->fault = response.fault;
    c->capturing = true;
  } else if (!res.body.empty() && res.body.size() <= kCoalescedBodyBytes) {
    c->hold_head = true;
  }
}

// ConnStream::read's slow path: accounts for what the fast path handed out,
// checks the bounds, refills the buffer, then reopens the fast path.
ssize_t HttpTransport::Impl::Read(Connection& c, char* ptr, size_t size) {
  c.Settle();
  c.fast_end = c.buf_pos;
  if (c.failure != Failure::kNone) return -1;
  size_t limit = c.in_body ? c.body_allowance : options_.max_header_bytes;
  if (c.consumed >= limit) {
    c.failure = c.in_body                                ? Failure::kBodyTooLarge
                : c.head.find('\n') == std::string::npos ? Failure::kUriTooLong
                                                         : Failure::kHeaderTooLarge;
    return -1;
  }
  if (size == 0) return 0;
  if (c.buf_pos == c.buf_len) {
    c.mark = 0;  // Fill() restarts the buffer
    c.fast_end = 0;
    ssize_t n = Fill(c);
    if (n <= 0) return n;
  }
  c.fast_end = c.buf_pos + std::min(c.buf_len - c.buf_pos, limit - c.consumed);
  size_t n = std::min(size, c.fast_end - c.buf_pos);
  std::memcpy(ptr, c.buf.get() + c.buf_pos, n);
  c.buf_pos += n;
  return static_cast<ssize_t>(n);
}

// Refills the read buffer: > 0 bytes, 0 at EOF, -1 with c.failure set.
ssize_t HttpTransport::Impl::Fill(Connection& c) {
  c.buf_pos = c.buf_len = 0;
  for (;;) {
    ssize_t n = c.io.Recv(c.buf.get(), kReadBufferSize);
    if (n > 0) {
      c.buf_len = static_cast<size_t>(n);
      return n;
    }
    if (n == 0) return 0;
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      c.failure = Failure::kIo;
      return -1;
    }
    switch (WaitForIo(c.io, POLLIN, stop_fd_, c.deadline)) {
      case Wait::kReady:
        continue;
      case Wait::kTimeout:
        c.failure = Failure::kTimeout;
        return -1;
      case Wait::kStopped:
        c.failure = Failure::kStopped;
        return -1;
      case Wait::kError:
        c.failure = Failure::kIo;
        return -1;
    }
  }
}

// Sends everything, waiting at most read_timeout for each bit of progress;
// false on error, timeout or Stop().
bool HttpTransport::Impl::SendAll(Connection& c, const char* data, size_t size) {
  while (size > 0) {
    if (!c.io.open()) return false;
    ssize_t n = c.io.Send(data, size);
    if (n > 0) {
      data += n;
      size -= static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) return false;
    if (WaitForIo(c.io, POLLOUT, stop_fd_, DeadlineAfter(options_.read_timeout)) != Wait::kReady) {
      return false;
    }
  }
  return true;
}

// Sends c.held_head (with whatever was appended to it) and empties it.
bool HttpTransport::Impl::SendHeldHead(Connection& c) {
  bool ok = SendAll(c, c.held_head.data(), c.held_head.size());
  c.held_head.clear();
  return ok;
}

// Performs c.fault on c.captured; true when the connection stays usable.
bool HttpTransport::Impl::PerformFault(Connection& c) {
  const api::WireFault fault = *c.fault;
  const std::string& bytes = c.captured;
  switch (fault.kind) {
    case api::WireFault::Kind::kReset:
      c.io.Reset();
      return false;
    case api::WireFault::Kind::kCloseBeforeResponse:
      CloseNow(c);
      return false;
    case api::WireFault::Kind::kPartialThenClose:
      SendAll(c, bytes.data(), std::min(fault.bytes, bytes.size()));
      CloseNow(c);
      return false;
    case api::WireFault::Kind::kStall:
      WaitFor(-1, 0, stop_fd_, DeadlineAfter(fault.duration));
      CloseNow(c);
      return false;
    case api::WireFault::Kind::kDribble: {
      const size_t step = std::max<size_t>(fault.bytes, 1);
      for (size_t sent = 0; sent < bytes.size();) {
        size_t n = std::min(step, bytes.size() - sent);
        if (!SendAll(c, bytes.data() + sent, n)) {
          CloseNow(c);
          return false;
        }
        sent += n;
        if (sent < bytes.size() &&
            WaitFor(-1, 0, stop_fd_, DeadlineAfter(fault.duration)) == Wait::kStopped) {
          CloseNow(c);
          return false;
        }
      }
      return true;
    }
    case api::WireFault::Kind::kGoaway:
    case api::WireFault::Kind::kRstStream:
      break;  // HTTP/2 only: Tenant::Handle answers them UNAVAILABLE on REST
  }
  CloseNow(c);
  return false;
}

void HttpTransport::Impl::AnswerFailure(Connection& c) {
  api::Response answer;
  switch (c.failure) {
    case Failure::kTimeout:
      answer = errors::RequestTimeout(options_.read_timeout);
      break;
    case Failure::kHeaderTooLarge:
      answer = errors::HeadersTooLarge(options_.max_header_bytes);
      break;
    case Failure::kUriTooLong:
      answer = errors::RequestLineTooLong(options_.max_header_bytes);
      break;
    case Failure::kBodyTooLarge:
      answer = errors::BodyTooLarge(options_.max_body_bytes);
      break;
    case Failure::kBadRequest:
      answer = errors::InvalidContentLength();
      break;
    case Failure::kNotImplemented:
      answer = errors::TransferEncodingNotImplemented();
      break;
    case Failure::kNone:
    case Failure::kStopped:
    case Failure::kIo:
      return;
  }
  std::string out =
      "HTTP/1.1 " + std::to_string(answer.status) + " " +
      std::string(errors::ReasonPhrase(answer.status)) +
      "\r\nConnection: close\r\nContent-Length: " + std::to_string(answer.body.size()) +
      "\r\nContent-Type: " + answer.content_type + "\r\n\r\n" + answer.body;
  SendAll(c, out.data(), out.size());
}

void HttpTransport::Impl::CloseNow(Connection& c) { c.io.Close(); }

// Sends FIN, then reads and discards what the client still sends (for at
// most kMaxLinger, or until Stop()) so it can read the answer instead of
// getting a reset for unread data.
void HttpTransport::Impl::CloseAfterLinger(Connection& c) {
  if (!c.io.open()) return;
  c.io.ShutdownWrite();
  auto deadline = DeadlineAfter(std::min<Clock::duration>(kMaxLinger, options_.read_timeout));
  for (;;) {
    ssize_t n = ::recv(c.io.fd(), c.buf.get(), kReadBufferSize, MSG_DONTWAIT);  // discarded
    if (n > 0) continue;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) &&
        WaitFor(c.io.fd(), POLLIN, stop_fd_, deadline) == Wait::kReady) {
      continue;
    }
    break;
  }
  c.io.Close();
}

// Debian's cpp-httplib is not built for ThreadSanitizer: the state it builds
// lazily (function-local statics) while serving and sending its first
// requests is published by atomics TSan cannot see, so the first requests
// of two connection threads at once are reported as a race inside httplib
// (about once in 20 runs of a two-case `nasfake conformance`). Under TSan,
// the first transport a process starts first serves a GET and a POST on a
// throwaway transport from this thread and stops it, joining its threads:
// that state is then built and ordered before every later thread. Other
// builds need nothing: the statics' guards are correct, only unseen.
StatusOr<std::unique_ptr<HttpTransport>> HttpTransport::Start(const Options& options,
                                                              Handler handler) {
#if defined(__SANITIZE_THREAD__)
  static std::once_flag primed;
  std::call_once(primed, [] {
    Impl prime(Options{}, [](api::Request&&) {
      api::Response response;
      response.status = 404;
      response.body = "{}";
      return response;
    });
    if (!prime.Start().ok()) return;
    httplib::Client client("127.0.0.1", prime.port());
    (void)client.Get("/");
    (void)client.Post("/", "{}", "application/json");
    prime.Stop();
  });
#endif
  auto impl = std::make_unique<Impl>(options, std::move(handler));
  Status status = impl->Start();
  if (!status.ok()) return status;
  return std::unique_ptr<HttpTransport>(new HttpTransport(std::move(impl)));
}

HttpTransport::HttpTransport(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpTransport::~HttpTransport() { Stop(); }

int HttpTransport::port() const { return impl_->port(); }

const std::string& HttpTransport::host() const { return impl_->host(); }

void HttpTransport::Stop() { impl_->Stop(); }

}  // namespace nasfake::server
