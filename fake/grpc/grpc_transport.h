// The gRPC transport: HTTP/2 (libnghttp2) and gRPC framing for unary calls,
// nothing about NasJobs or protobuf. Each call is handed to a GrpcHandler as
// bytes (path, metadata, the request message) and answered with what the
// handler returns (a message, a status, or a raw HTTP answer). The wire
// contract is gRPC's "PROTOCOL-HTTP2" (reference §11).
//
// Connections
// - Plaintext HTTP/2 with prior knowledge (h2c: what grpc++
//   InsecureChannelCredentials and node's createInsecure() speak), or, with
//   Options::tls, HTTP/2 over TLS 1.2+ with ALPN "h2" (grpc++ SslCredentials,
//   node's createSsl()); no HTTP/1.1 Upgrade. Listens on 127.0.0.1 unless
//   Options::host says otherwise; TCP_NODELAY on every connection; listen
//   backlog 1024.
// - The server's SETTINGS leave at once: MAX_CONCURRENT_STREAMS
//   max_concurrent_streams (100), MAX_HEADER_LIST_SIZE max_header_list_bytes
//   (16 KiB), INITIAL_WINDOW_SIZE 1 MiB (and a 16 MiB connection window).
//   nghttp2 answers PING and SETTINGS; a stream beyond the limit is refused
//   (RST_STREAM REFUSED_STREAM while the client has not acknowledged our
//   SETTINGS; GOAWAY(PROTOCOL_ERROR) once it has: gRPC clients queue instead).
//   Malformed frames get GOAWAY (PROTOCOL_ERROR) after which the connection
//   is closed; a stream that breaks HTTP/2's header rules (missing :path,
//   uppercase names, ...) is reset.
// - A connection that does not finish the TLS handshake (with Options::tls)
//   and send the client preface and its SETTINGS within preface_timeout
//   (10 s) of the accept is closed; bytes that are not the
//   preface get GOAWAY(PROTOCOL_ERROR), then the close. A connected client may
//   then stay idle as long as it likes (gRPC channels keep their connection).
// - Each connection's loop runs on a thread (threads are reused from
//   connection to connection and call to call, and exit after 5 s without
//   work), at most max_connections (1024): a connection beyond is closed at
//   once. A peer that reads nothing for write_timeout (10 s) while answers
//   wait is closed.
//
// Calls
// - A stream is validated when its headers end, in this order (the answer
//   given, with the statuses real servers use):
//   content-type not starting "application/grpc" -> HTTP 415, text/plain body,
//     no grpc-status (the spec's SHOULD; grpc-go does this);
//   :method not POST -> grpc-status UNKNOWN "Bad method header" (grpc core);
//   te missing -> UNKNOWN "Missing :te header" (grpc core; nghttp2 itself
//     resets a stream whose te is anything but "trailers");
//   metadata over max_header_list_bytes (name + value + 32 per entry) ->
//     RESOURCE_EXHAUSTED.
// - grpc-timeout (see ParseGrpcTimeout) gives GrpcCall::deadline = arrival +
//   timeout; an invalid value is ignored (grpc core's behaviour). When the
//   deadline passes before the answer is sent — while the message still
//   arrives or while the handler runs — the transport answers
//   DEADLINE_EXCEEDED "Deadline Exceeded" itself and discards the handler's
//   reply: at the deadline once the handler has announced a wait, else as
//   soon as the handler returns. A call whose deadline passed before it was
//   complete is not given to the handler.
// - Unary only: the DATA must be exactly one length-prefixed message, and the
//   handler is called when the client half-closes (END_STREAM).
//   no message at END_STREAM -> INTERNAL "Half-closed without a request";
//   bytes after the first message -> INTERNAL "Too many requests" at once
//     (both grpc-java's words: grpc core has no unary-specific check);
//   a declared length over max_message_bytes (4 MiB) -> RESOURCE_EXHAUSTED
//     "Received message larger than max (N vs. 4194304)" (grpc core's words)
//     as soon as the prefix is read: nothing of the message is buffered;
//   compressed flag 1 with grpc-encoding absent or "identity" -> INTERNAL
//     "grpc: compressed flag set with identity or empty encoding" (grpc-go);
//   compressed flag 1 with any other grpc-encoding -> UNIMPLEMENTED
//     "Compression algorithm 'gzip' is not supported" (grpc-go's meaning, with
//     the coding named); a grpc-encoding header alone is no error: each
//     message's flag says whether it is compressed, and an uncompressed
//     message is valid whatever the header says (grpc core sends a small
//     message uncompressed when gzip would make it bigger);
//   a compressed flag other than 0/1 -> INTERNAL.
//   Every answer carries grpc-accept-encoding: identity; none is compressed.
//   After an answer sent before the client half-closed, the stream is reset
//   with NO_ERROR (as HTTP/2 §8.1 asks) and what the client still sends is
//   dropped.
// - Buffered request bytes are bounded: max_message_bytes per stream and
//   max_buffered_bytes (64 MiB) per connection (beyond: RESOURCE_EXHAUSTED).
// - The handler runs on the connection's thread, between reads, and its
//   answer leaves with the connection's next write: a call costs one thread
//   wake-up. A handler about to wait for anything but the CPU calls
//   nasfake::AboutToWait() first (fake/about_to_wait.h; the scenario engine's
//   holds and delays do): the connection's loop then goes on on another
//   thread, so the connection keeps answering PING, other streams and
//   deadlines while the handler waits, and the reply reaches it through an
//   eventfd. A handler that blocks without announcing it stalls its
//   connection until it returns. At most max_concurrent_calls (1024) calls
//   are in handlers at once over the whole transport (beyond:
//   RESOURCE_EXHAUSTED "too many concurrent calls"). A reply for a stream
//   that is gone (RST_STREAM by the client, the connection closed, or the
//   deadline answered) is discarded. A handler that throws is answered
//   UNKNOWN with the exception's text.
// - Unknown paths are the handler's business (it answers UNIMPLEMENTED).
//
// Answers (GrpcReply)
// - kMessage: HEADERS(:status 200, content-type application/grpc), DATA (the
//   length-prefixed message, uncompressed), then trailers HEADERS(grpc-status
//   0) with END_STREAM.
// - kStatus: Trailers-Only, a single HEADERS with END_STREAM: :status 200,
//   content-type application/grpc, grpc-status, grpc-message when
//   status_message is not empty (PercentEncode), grpc-status-details-bin when
//   details_bin is not empty (unpadded base64, Base64EncodeUnpadded).
// - kHttp: :status http_status (502 when outside 200..999: no 1xx), content-type
//   when not empty, the body, END_STREAM;
//   no grpc-status (what a broken proxy sends: clients map the HTTP status).
//
// Faults (GrpcReply::fault; api::WireFault, README "Scenario files"): the
// reply is sent, or not, as the fault says, instead of as above. The
// transport answers no DEADLINE_EXCEEDED of its own for a faulted call: the
// client's deadline ends it.
//   reset       the TCP connection is reset (RST): every stream on it is lost.
//   close       the connection is closed (FIN, what is already queued for
//               other streams first) before any frame of this answer.
//   partial     the answer's HEADERS and the first `bytes` bytes of its DATA
//               (the length-prefixed message; for a status answer none), then,
//               once the kernel has sent them, the connection is reset.
//   stall       nothing is sent on this stream; at `duration`, if the client
//               has not given up on it, the connection is closed (FIN).
//   dribble     HEADERS at once, then DATA of `bytes` bytes every `duration`,
//               then the trailers; a Trailers-Only answer is sent after one
//               `duration`.
//   goaway      GOAWAY with last-stream-id just below this stream: with
//               NO_ERROR a graceful drain (lower streams are still answered,
//               then the connection closes), with another code the
//               connection closes once the GOAWAY is sent.
//   rst_stream  RST_STREAM on this stream with the fault's code.
//
// Stop() closes the listener and every connection (a GOAWAY(NO_ERROR) is
// attempted), wakes every poll loop at once, calls Options::on_stop, then
// waits for the handlers still running. Handlers may block, so the owner
// must make them return: on_stop is where to release holds (the fake calls
// its own Shutdown, which ends them). Stop() does not return while a handler
// still runs or any thread (idle ones included) still touches the
// transport.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fake/api/wire_fault.h"
#include "fake/status.h"
#include "fake/tls/server_context.h"

namespace nasfake::grpc {

// One unary call, as received.
struct GrpcCall {
  // ":path", e.g. "/google.cloud.aiplatform.v1.JobService/GetNasJob".
  std::string path;
  // The headers in wire order, pseudo-headers excluded; keys are lowercase
  // (HTTP/2 requires it); "-bin" values are left base64 as sent. Includes
  // te, content-type, user-agent, grpc-timeout and the other grpc-* headers.
  std::vector<std::pair<std::string, std::string>> metadata;
  // The request message's bytes (never compressed: see the header comment).
  std::string message;
  // From grpc-timeout: when the call's answer is due.
  std::optional<std::chrono::steady_clock::time_point> deadline;
  // "ip:port" of the client ("[ip6]:port" for IPv6).
  std::string remote_addr;
};

// The answer to a call: exactly one of a response message (grpc-status 0), an
// error status, or a raw HTTP answer.
struct GrpcReply {
  enum class Kind { kMessage, kStatus, kHttp };
  Kind kind = Kind::kStatus;
  // kMessage: the serialized response message.
  std::string message;
  // kStatus: grpc-status, grpc-message (raw text: the transport encodes it)
  // and the serialized google.rpc.Status for grpc-status-details-bin (empty:
  // no such trailer).
  int code = 0;
  std::string status_message;
  std::string details_bin;
  // kHttp: ":status", content-type (empty: none), body.
  int http_status = 502;
  std::string content_type;
  std::string body;
  // What happens on the wire instead of sending the answer as it is (see
  // the header comment).
  std::optional<api::WireFault> fault;

  static GrpcReply Message(std::string message);
  static GrpcReply Error(int code, std::string status_message, std::string details_bin = "");
  static GrpcReply Http(int http_status, std::string content_type, std::string body);
};

// Called on the call's connection's thread, concurrently for calls of
// different connections; before it blocks, it calls nasfake::AboutToWait()
// (see the header comment). Must not call GrpcTransport::Stop().
using GrpcHandler = std::function<GrpcReply(const GrpcCall&)>;

class GrpcTransport {
 public:
  struct Options {
    std::string host = "127.0.0.1";
    int port = 0;  // 0: any free port
    size_t max_connections = 1024;
    size_t max_concurrent_streams = 100;  // per connection (SETTINGS)
    size_t max_header_list_bytes = 16 * 1024;
    size_t max_message_bytes = 4 * 1024 * 1024;
    size_t max_buffered_bytes = 64 * 1024 * 1024;  // request bytes per connection
    size_t max_concurrent_calls = 1024;            // calls in handlers, whole transport
    std::chrono::milliseconds preface_timeout{10000};
    std::chrono::milliseconds write_timeout{10000};
    // Serve TLS (TLS 1.2+, ALPN "h2") with this context; null: plaintext h2c.
    std::shared_ptr<const tls::ServerContext> tls;
    // Called by Stop() once no new call can start, before it waits for the
    // handlers: release whatever the handlers block on.
    std::function<void()> on_stop;
  };

  // Binds and starts serving on a background thread; returns once the port
  // accepts connections. Errors: UNAVAILABLE naming the address when it cannot
  // be bound (or resolved).
  static StatusOr<std::unique_ptr<GrpcTransport>> Start(const Options& options,
                                                        GrpcHandler handler);

  ~GrpcTransport();  // Stop()s
  GrpcTransport(const GrpcTransport&) = delete;
  GrpcTransport& operator=(const GrpcTransport&) = delete;

  int port() const;
  const std::string& host() const;

  // See the header comment. Idempotent. Must not be called from a handler.
  void Stop();

  class Impl;  // the implementation (grpc_transport.cc); public only so that file's helpers can
               // name it

 private:
  explicit GrpcTransport(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace nasfake::grpc
