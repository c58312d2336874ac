// Byte I/O on one accepted, non-blocking socket, in the shape of recv() and
// send(): plaintext, or the server side of TLS through OpenSSL. The one
// place the transports read and write their connections, so TLS is a
// constructor argument and not a second code path.
//
// - Recv and Send return what recv(MSG_DONTWAIT) and send(MSG_DONTWAIT)
//   would: > 0 bytes, 0 at the end of the stream (Recv), -1 with errno set;
//   EAGAIN means: poll for Events(POLLIN) (Recv) or Events(POLLOUT) (Send),
//   and call again. Over TLS a read may have to wait for the socket to be
//   writable and a write for it to be readable, which Events() says, and
//   decrypted bytes may wait inside OpenSSL, which HasBuffered() says (poll
//   would not). A Send retried after EAGAIN must start with the same bytes.
// - Nothing raises SIGPIPE (TLS records leave through send(MSG_NOSIGNAL)).
// - A peer that closes without TLS's close_notify reads as an ordinary end
//   of stream, as it does in plaintext.
// One thread at a time uses a SocketIo.
#pragma once

#include <poll.h>
#include <sys/types.h>

#include <chrono>

#include "fake/tls/server_context.h"

struct ssl_st;  // OpenSSL's SSL

namespace nasfake::tls {

class SocketIo {
 public:
  // Takes `fd`. `tls` null: plaintext; otherwise the connection speaks TLS
  // with that context, which must outlive this object.
  SocketIo(int fd, const ServerContext* tls);
  ~SocketIo();  // Close()
  SocketIo(const SocketIo&) = delete;
  SocketIo& operator=(const SocketIo&) = delete;

  int fd() const { return fd_; }  // -1 once closed
  bool open() const { return fd_ >= 0; }

  // TLS: performs the server side of the handshake, polling the socket until
  // it is done, `deadline` passes or `stop_fd` becomes readable. False for
  // those two, and when the handshake fails (a client that does not trust the
  // certificate, one below TLS 1.2, bytes that are not TLS): the caller then
  // closes. Plaintext: true at once.
  bool Handshake(std::chrono::steady_clock::time_point deadline, int stop_fd);

  ssize_t Recv(void* buf, size_t size);
  ssize_t Send(const void* data, size_t size);
  // The poll events to wait for, after EAGAIN, in place of `wanted` (POLLIN
  // for Recv, POLLOUT for Send, or both).
  short Events(short wanted) const;
  // Whether Recv has bytes without reading the socket.
  bool HasBuffered() const;

  // Sends close_notify (TLS, best effort, never waits), then shuts the socket
  // down and closes it. Idempotent.
  void Close();
  // Sends close_notify (TLS) and FIN, keeping the socket open for reading
  // (for lingering after an answer); Close() still closes.
  void ShutdownWrite();
  // Closes with a TCP reset (SO_LINGER 0), without close_notify.
  void Reset();

 private:
  // A Recv or Send that OpenSSL did not complete: -1 (or 0 at the end of the
  // stream) with errno, noting in `wants` what the retry waits for.
  ssize_t Failed(int ssl_result, short& wants, bool reading);
  void SendCloseNotify();
  void FreeTls();

  int fd_;
  ssl_st* ssl_ = nullptr;
  bool tls_broken_ = false;   // TLS could not be set up, or failed fatally
  bool established_ = false;  // handshake done, no fatal error since
  bool notified_ = false;     // close_notify sent
  short read_wants_ = POLLIN;
  short write_wants_ = POLLOUT;
};

}  // namespace nasfake::tls
