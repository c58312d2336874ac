// SocketIo (socket_io.h). OpenSSL reads and writes the socket through a BIO
// of our own (SocketBio), so its records leave by send(MSG_NOSIGNAL) and
// never raise SIGPIPE in the process that embeds the fake.
#include "fake/tls/socket_io.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdint>

namespace nasfake::tls {
namespace {

using Clock = std::chrono::steady_clock;

int FdOf(BIO* bio) { return static_cast<int>(reinterpret_cast<intptr_t>(BIO_get_data(bio))); }

int SocketBioWrite(BIO* bio, const char* data, int size) {
  BIO_clear_retry_flags(bio);
  for (;;) {
    ssize_t n = ::send(FdOf(bio), data, static_cast<size_t>(size), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n >= 0) return static_cast<int>(n);
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) BIO_set_retry_write(bio);
    return -1;
  }
}

int SocketBioRead(BIO* bio, char* buf, int size) {
  BIO_clear_retry_flags(bio);
  for (;;) {
    ssize_t n = ::recv(FdOf(bio), buf, static_cast<size_t>(size), MSG_DONTWAIT);
    if (n >= 0) return static_cast<int>(n);
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) BIO_set_retry_read(bio);
    return -1;
  }
}

long SocketBioCtrl(BIO*, int cmd, long, void*) { return cmd == BIO_CTRL_FLUSH ? 1 : 0; }

int SocketBioCreate(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

// The BIO type over a socket descriptor (BIO_set_data holds it); it does not
// own the descriptor.
BIO_METHOD* SocketBio() {
  static BIO_METHOD* const method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "nasfake socket");
    if (m != nullptr) {
      BIO_meth_set_write(m, SocketBioWrite);
      BIO_meth_set_read(m, SocketBioRead);
      BIO_meth_set_ctrl(m, SocketBioCtrl);
      BIO_meth_set_create(m, SocketBioCreate);
    }
    return m;
  }();
  return method;
}

// Polls `fd` for `events` and `stop_fd` for input until `deadline`; true when
// `fd` is ready first.
bool WaitReady(int fd, short events, int stop_fd, Clock::time_point deadline) {
  for (;;) {
    auto now = Clock::now();
    if (now >= deadline) return false;
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - now).count();
    pollfd fds[2] = {{fd, events, 0}, {stop_fd, POLLIN, 0}};
    int n = ::poll(fds, stop_fd >= 0 ? 2 : 1, static_cast<int>(std::min<int64_t>(left, INT_MAX)));
    if (n < 0 && errno != EINTR) return false;
    if (n <= 0) continue;
    if (stop_fd >= 0 && fds[1].revents != 0) return false;
    if (fds[0].revents != 0) return true;
  }
}

}  // namespace

SocketIo::SocketIo(int fd, const ServerContext* tls) : fd_(fd) {
  if (tls == nullptr) return;
  ssl_ = SSL_new(tls->native());
  BIO* bio = SocketBio() != nullptr ? BIO_new(SocketBio()) : nullptr;
  if (ssl_ == nullptr || bio == nullptr) {
    BIO_free(bio);
    tls_broken_ = true;
    return;
  }
  BIO_set_data(bio, reinterpret_cast<void*>(static_cast<intptr_t>(fd)));
  SSL_set_bio(ssl_, bio, bio);  // the SSL owns the BIO
  SSL_set_accept_state(ssl_);
}

SocketIo::~SocketIo() { Close(); }

bool SocketIo::Handshake(Clock::time_point deadline, int stop_fd) {
  if (tls_broken_ || fd_ < 0) return false;
  if (ssl_ == nullptr) return true;
  for (;;) {
    ERR_clear_error();
    int r = SSL_do_handshake(ssl_);
    if (r == 1) {
      established_ = true;
      return true;
    }
    short events = 0;
    switch (SSL_get_error(ssl_, r)) {
      case SSL_ERROR_WANT_READ:
        events = POLLIN;
        break;
      case SSL_ERROR_WANT_WRITE:
        events = POLLOUT;
        break;
      default:
        ERR_clear_error();
        tls_broken_ = true;
        return false;
    }
    if (!WaitReady(fd_, events, stop_fd, deadline)) return false;
  }
}

ssize_t SocketIo::Recv(void* buf, size_t size) {
  if (ssl_ == nullptr || fd_ < 0) {
    if (tls_broken_) {
      errno = ECONNRESET;
      return -1;
    }
    return ::recv(fd_, buf, size, MSG_DONTWAIT);
  }
  if (!established_) {
    errno = ENOTCONN;
    return -1;
  }
  ERR_clear_error();
  int r = SSL_read(ssl_, buf, static_cast<int>(std::min<size_t>(size, INT_MAX)));
  if (r > 0) {
    read_wants_ = POLLIN;
    return r;
  }
  return Failed(r, read_wants_, true);
}

ssize_t SocketIo::Send(const void* data, size_t size) {
  if (ssl_ == nullptr || fd_ < 0) {
    if (tls_broken_) {
      errno = ECONNRESET;
      return -1;
    }
    return ::send(fd_, data, size, MSG_NOSIGNAL | MSG_DONTWAIT);
  }
  if (!established_) {
    errno = ENOTCONN;
    return -1;
  }
  if (size == 0) return 0;
  ERR_clear_error();
  int r = SSL_write(ssl_, data, static_cast<int>(std::min<size_t>(size, INT_MAX)));
  if (r > 0) {
    write_wants_ = POLLOUT;
    return r;
  }
  return Failed(r, write_wants_, false);
}

ssize_t SocketIo::Failed(int ssl_result, short& wants, bool reading) {
  int saved_errno = errno;
  int error = SSL_get_error(ssl_, ssl_result);
  ERR_clear_error();
  switch (error) {
    case SSL_ERROR_WANT_READ:
      wants = POLLIN;
      errno = EAGAIN;
      return -1;
    case SSL_ERROR_WANT_WRITE:
      wants = POLLOUT;
      errno = EAGAIN;
      return -1;
    case SSL_ERROR_ZERO_RETURN:  // close_notify, or (IGNORE_UNEXPECTED_EOF) a plain EOF
      if (reading) return 0;
      errno = EPIPE;
      return -1;
    case SSL_ERROR_SYSCALL:
      established_ = false;
      errno = saved_errno != 0 && saved_errno != EAGAIN ? saved_errno : ECONNRESET;
      return -1;
    default:  // SSL_ERROR_SSL: a protocol error; the session is unusable
      established_ = false;
      errno = EPROTO;
      return -1;
  }
}

short SocketIo::Events(short wanted) const {
  if (ssl_ == nullptr) return wanted;
  short events = 0;
  if ((wanted & POLLIN) != 0) events |= read_wants_;
  if ((wanted & POLLOUT) != 0) events |= write_wants_;
  return events;
}

bool SocketIo::HasBuffered() const { return ssl_ != nullptr && SSL_pending(ssl_) > 0; }

void SocketIo::SendCloseNotify() {
  if (ssl_ == nullptr || !established_ || notified_) return;
  notified_ = true;
  ERR_clear_error();
  SSL_shutdown(ssl_);  // queues and tries to send close_notify; does not wait for the peer's
  ERR_clear_error();
}

void SocketIo::FreeTls() {
  SSL_free(ssl_);  // also frees the BIO (which leaves the descriptor alone)
  ssl_ = nullptr;
}

void SocketIo::Close() {
  if (fd_ < 0) return;
  SendCloseNotify();
  FreeTls();
  ::shutdown(fd_, SHUT_RDWR);
  ::close(fd_);
  fd_ = -1;
}

void SocketIo::ShutdownWrite() {
  if (fd_ < 0) return;
  SendCloseNotify();
  ::shutdown(fd_, SHUT_WR);
}

void SocketIo::Reset() {
  if (fd_ < 0) return;
  FreeTls();
  linger reset{1, 0};  // close() then sends RST
  ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
  ::close(fd_);
  fd_ = -1;
}

}  // namespace nasfake::tls
