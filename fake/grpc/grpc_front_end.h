// The gRPC front end's translation: a unary call of JobService (its NAS
// methods) or google.longrunning.Operations becomes the transport-neutral
// request a REST client would have sent for it, and the answer to that request
// becomes the call's reply. Nothing below knows which transport a request came
// on but for api::Request::transport.
//
// Call → request, by the method's HTTP rule (api::HttpRuleOfRpc): the request
// message in proto3 JSON (libprotobuf's mapping); the path from its path
// field (`name` or `parent`); the body the rule names ("*": the message
// without the path field; a field; none); every other set field a query
// parameter (lowerCamelCase, as REST clients send them). The metadata become
// the headers (so `x-nasfake-test-id` picks the tenant and `authorization`
// passes --require-auth as over REST), and grpc-timeout the deadline.
//
// Answer → reply:
//   2xx whose JSON body is the method's response message → the message
//     (a body answered before is not transcoded again while kept: see
//     reply_cache.h);
//   a Google error body {"error":{"code","message","status","details"}} →
//     grpc-status from "status" (the code's name: NOT_FOUND …, never from
//     the HTTP status), grpc-message, and grpc-status-details-bin carrying
//     google.rpc.Status with the same details (BadRequest, ErrorInfo, …);
//   anything else (an HTML page, a raw or malformed body: what a broken proxy
//     sends) → that HTTP status, content type and body, without grpc-status,
//     so the client maps the HTTP status as it would (502 → UNAVAILABLE).
// A scripted wire fault travels with the reply; the transport performs it.
// A method the API does not serve is UNIMPLEMENTED "Method not found: …"; a
// request message that does not parse is INTERNAL; a path field that makes no
// resource name of the method is INVALID_ARGUMENT, without reaching the fake.
#pragma once

#include <functional>

#include "fake/api/request.h"
#include "fake/grpc/grpc_transport.h"
#include "fake/grpc/reply_cache.h"

namespace nasfake::grpc {

class GrpcFrontEnd {
 public:
  // The fake's one path for a request (FakeServer::Handle); called on the
  // transport's thread, and may block after nasfake::AboutToWait() (as the
  // scenario engine's holds and delays do).
  using Handler = std::function<api::Response(api::Request&&)>;
  explicit GrpcFrontEnd(Handler handler);

  // Thread-safe: called concurrently for different calls.
  GrpcReply Handle(const GrpcCall& call) const;

 private:
  Handler handler_;
  // Response messages already transcoded (see reply_cache.h): thread-safe,
  // and no part of the front end's observable state.
  mutable ReplyCache replies_;
};

}  // namespace nasfake::grpc
