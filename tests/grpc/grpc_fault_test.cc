// Wire faults on HTTP/2, proved on the wire: a raw nghttp2 client sees each
// frame, the GOAWAY's last-stream-id, the RST_STREAM's code, and whether the
// connection ended with FIN or RST; grpc++ shows what a real client makes of
// them (transparent retries, its own deadline). No test sleeps to wait for a
// state: handlers block on a gate the test opens, and every wait is bounded.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>

#include "fake/about_to_wait.h"
#include "fake/api/wire_fault.h"
#include "fake/grpc/grpc_framing.h"
#include "fake/grpc/grpc_transport.h"
#include "tests/grpc/grpc_test_support.h"
#include "tests/grpc/raw_h2_client.h"

namespace nasfake::grpc {
namespace {

using namespace std::chrono_literals;
using ::nasfake::testing::GrpcHeaders;
using ::nasfake::testing::RawH2Client;
using Ending = RawH2Client::Ending;
using K = api::WireFault::Kind;

constexpr auto kWait = 20s;

// A handler for the tests: a request "wait" blocks until the gate opens,
// then is echoed; "status" is answered NOT_FOUND; any other request is
// echoed. The first `faulted` calls (all, when negative) that are not "wait"
// carry `fault`.
class FaultyEcho {
 public:
  explicit FaultyEcho(api::WireFault fault, int faulted = -1) : fault_(fault), left_(faulted) {}

  GrpcReply operator()(const GrpcCall& call) {
    ++calls_;
    if (call.message == "wait") {
      AboutToWait();  // the connection goes on serving (fake/about_to_wait.h)
      std::unique_lock<std::mutex> lock(mu_);
      waiting_ = true;
      cv_.notify_all();
      cv_.wait_for(lock, kWait, [this] { return open_; });
      return GrpcReply::Message(call.message);
    }
    GrpcReply reply = call.message == "status" ? GrpcReply::Error(5, "no such thing")
                                               : GrpcReply::Message(call.message);
    if (left_.load() != 0) {
      if (left_.load() > 0) --left_;
      reply.fault = fault_;
    }
    return reply;
  }
  bool WaitUntilWaiting() {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, kWait, [this] { return waiting_; });
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  int calls() const { return calls_.load(); }

 private:
  const api::WireFault fault_;
  std::atomic<int> left_;
  std::atomic<int> calls_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool waiting_ = false;
  bool open_ = false;
};

// A transport whose handler is `echo` (which must outlive it).
std::unique_ptr<GrpcTransport> Serve(FaultyEcho& echo) {
  auto started = GrpcTransport::Start({}, [&echo](const GrpcCall& call) { return echo(call); });
  EXPECT_TRUE(started.ok()) << started.status().message();
  return started.ok() ? std::move(started).value() : nullptr;
}

bool HasHeader(const nasfake::testing::Headers& headers, const std::string& name) {
  for (const auto& [k, v] : headers) {
    if (k == name) return true;
  }
  return false;
}

// --- on the wire (raw HTTP/2 client) ----------------------------------------

TEST(GrpcFaultWire, ResetEndsTheConnectionWithRstAndNothingElse) {
  FaultyEcho echo({.kind = K::kReset});
  auto transport = Serve(echo);
  ASSERT_NE(transport, nullptr);
  RawH2Client client(transport->port());
  int32_t id = client.Request(GrpcHeaders(), FrameMessage("hello"));
  EXPECT_EQ(client.WaitForEnd(), Ending::kReset);
  EXPECT_TRUE(client.response(id).headers.empty());
  EXPECT_TRUE(client.response(id).data.empty());
  EXPECT_FALSE(client.goaway().has_value());
}

TEST(GrpcFaultWire, CloseEndsTheConnectionWithFinBeforeAnyFrameOfTheAnswer) {
  FaultyEcho echo({.kind = K::kCloseBeforeResponse});
  auto transport = Serve(echo);
  ASSERT_NE(transport, nullptr);
  RawH2Client client(transport->port());
  int32_t id = client.Request(GrpcHeaders(), FrameMessage("hello"));
  EXPECT_EQ(client.WaitForEnd(), Ending::kEof);
  EXPECT_TRUE(client.response(id).headers.empty());
  EXPECT_FALSE(client.goaway().has_value());  // no GOAWAY: the connection just ends
}

TEST(GrpcFaultWire, PartialSendsTheHeadersAndAPrefixOfTheMessageThenResets) {
  const std::string message = "0123456789abcdefghij";
  for (size_t bytes : {size_t{3}, size_t{12}, size_t{100}}) {
    FaultyEcho echo({.kind = K::kPartialThenClose, .bytes = bytes});
    auto transport = Serve(echo);
    ASSERT_NE(transport, nullptr);
    RawH2Client client(transport->port());
    int32_t id = client.Request(GrpcHeaders(), FrameMessage(message));
    EXPECT_EQ(client.WaitForEnd(), Ending::kReset) << bytes;
    const auto& r = client.response(id);
    EXPECT_EQ(r.Get(":status"), "200");
    EXPECT_EQ(r.Get("content-type"), "application/grpc");
    EXPECT_EQ(r.data, FrameMessage(message).substr(0, bytes));  // the 5-byte prefix counts
    EXPECT_TRUE(r.trailers.empty()) << bytes;                   // no grpc-status, ever
    EXPECT_FALSE(r.closed);
  }
}

TEST(GrpcFaultWire, PartialOfAStatusAnswerSendsHeadersWithoutTheStatus) {
  FaultyEcho echo({.kind = K::kPartialThenClose, .bytes = 10});
  auto transport = Serve(echo);
  ASSERT_NE(transport, nullptr);
  RawH2Client client(transport->port());
  int32_t id = client.Request(GrpcHeaders(), FrameMessage("status"));
  EXPECT_EQ(client.WaitForEnd(), Ending::kReset);
  const auto& r = client.response(id);
  EXPECT_EQ(r.Get(":status"), "200");
  EXPECT_FALSE(HasHeader(r.headers, "grpc-status"));
  EXPECT_TRUE(r.data.empty());
}

TEST(GrpcFaultWire, StallSendsNothingThenClosesAtItsDuration) {
  FaultyEcho echo({.kind = K::kStall, .duration = 100ms});
  auto transport = Serve(echo);
  ASSERT_NE(transport, nullptr);
  RawH2Client client(transport->port());
  const auto start = std::chrono::steady_clock::now();
  int32_t id = client.Request(GrpcHeaders(), FrameMessage("hello"));
  EXPECT_EQ(client.WaitForEnd(), Ending::kEof);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 100ms);  // never before its duration
  EXPECT_TRUE(client.response(id).headers.empty());
}

// The transport answers no DEADLINE_EXCEEDED of its own for a stalled call
// (the handler's reply, with the stall, comes long before the 1 s deadline):
// only the client's deadline ends it.
TEST(GrpcFaultWire, StallIgnoresTheCallsDeadline) {
  FaultyEcho echo({.kind = K::kStall, .duration = 2s});
  auto transport = Serve(echo);
  ASSERT_NE(transport, nullptr);
  RawH2Client client(transport->port());
  int32_t id = client.Request(nasfake::testing::With(GrpcHeaders(), "grpc-timeout", "1S"),
                              FrameMessage("hello"));
  EXPECT_EQ(client.WaitForEnd(), Ending::kEof);
  EXPECT_TRUE(client.response(id).headers.empty());  // no DEADLINE_EXCEEDED at 1 s
}

TEST(GrpcFaultWire, DribbleSendsTheMessageInChunksThenTheTrailers) {
  FaultyEcho echo({.kind = K::kDribble, .bytes = 10, .duration = 5ms});
  auto transport = Serve(echo);
  ASSERT_NE(transport, nullptr);
  RawH2Client client(transport->port());
  const std::string message(40, 'm');
  int32_t id = client.Request(GrpcHeaders(), FrameMessage(message));
  const auto& r = client.Wait(id);
  EXPECT_EQ(r.data, FrameMessage(message));
  ASSERT_EQ(r.data_frames.size(), 5u);  // 45 bytes, 10 at a time
  for (size_t size : r.data_frames) EXPECT_LE(size, 10u);
  EXPECT_EQ(r.Get("grpc-status"), "0");
  EXPECT_EQ(r.rst_code, 0u);
  EXPECT_TRUE(client.Ping());  // the connection stays usable
}

TEST(GrpcFaultWire, DribbleOfAStatusAnswerSendsItAfterOnePause) {
  FaultyEcho echo({.kind = K::kDribble, .bytes = 1, .duration = 50ms});
  auto transport = Serve(echo);
  ASSERT_NE(transport, nullptr);
  RawH2Client client(transport->port());
  const auto start = std::chrono::steady_clock::now();
  const auto& r = client.Wait(client.Request(GrpcHeaders(), FrameMessage("status")));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 50ms);
  EXPECT_EQ(r.Get("grpc-status"), "5");
  EXPECT_EQ(r.Get("grpc-message"), "no such thing");
}

// A drain: the GOAWAY's last-stream-id is just below the faulted stream, so
// the call in flight below it is still answered and the faulted one is left
// for the client to retry; then the connection closes.
TEST(GrpcFaultWire, GoawayWithNoErrorDrainsTheStreamsBelowTheCall) {
  FaultyEcho echo({.kind = K::kGoaway});
  auto transport = Serve(echo);
  ASSERT_NE(transport, nullptr);
  RawH2Client client(transport->port());
  int32_t first = client.Request(GrpcHeaders(), FrameMessage("wait"));
  ASSERT_TRUE(echo.WaitUntilWaiting());
  int32_t second = client.Request(GrpcHeaders(), FrameMessage("hello"));
  ASSERT_TRUE(client.WaitForGoaway());
  EXPECT_EQ(client.goaway()->last_stream_id, first);
  EXPECT_LT(client.goaway()->last_stream_id, second);
  EXPECT_EQ(client.goaway()->error_code, api::kHttp2NoError);
  echo.Open();
  const auto& answered = client.Wait(first);
  EXPECT_EQ(answered.Get("grpc-status"), "0");
  EXPECT_EQ(answered.data, FrameMessage("wait"));
  EXPECT_TRUE(client.response(second).headers.empty());
  EXPECT_EQ(client.WaitForEnd(), Ending::kEof);
}

TEST(GrpcFaultWire, GoawayWithAnErrorCodeEndsTheConnection) {
  FaultyEcho echo({.kind = K::kGoaway, .code = 0xb});  // ENHANCE_YOUR_CALM
  auto transport = Serve(echo);
  ASSERT_NE(transport, nullptr);
  RawH2Client client(transport->port());
  int32_t id = client.Request(GrpcHeaders(), FrameMessage("hello"));
  EXPECT_EQ(client.WaitForEnd(), Ending::kEof);
  ASSERT_TRUE(client.goaway().has_value());
  EXPECT_EQ(client.goaway()->error_code, 0xbu);
  EXPECT_EQ(client.goaway()->last_stream_id, 0);  // the first stream: none below it
  EXPECT_TRUE(client.response(id).headers.empty());
}

TEST(GrpcFaultWire, RstStreamResetsTheCallWithItsCodeAndKeepsTheConnection) {
  for (uint32_t code : {api::kHttp2RefusedStream, uint32_t{0x8}, uint32_t{0x2}}) {
    FaultyEcho echo({.kind = K::kRstStream, .code = code});
    auto transport = Serve(echo);
    ASSERT_NE(transport, nullptr);
    RawH2Client client(transport->port());
    const auto& r = client.Wait(client.Request(GrpcHeaders(), FrameMessage("hello")));
    EXPECT_EQ(r.rst_code, code);
    EXPECT_TRUE(r.headers.empty());
    EXPECT_TRUE(client.Ping()) << code;
  }
}

// --- what a real client makes of them (grpc++) ------------------------------

struct Outcome {
  ::grpc::Status status;
  std::string response;
};

// One unary call on a channel of its own connection; `wait_for_ready`: wait
// for a connection instead of failing fast while the channel reconnects.
Outcome CallOnce(::grpc::Channel& channel, const std::string& request,
                 std::chrono::milliseconds timeout = kWait, bool wait_for_ready = false) {
  ::grpc::GenericStub stub(std::shared_ptr<::grpc::Channel>(&channel, [](::grpc::Channel*) {}));
  ::grpc::Slice slice(request);
  ::grpc::ByteBuffer req(&slice, 1);
  ::grpc::ByteBuffer resp;
  ::grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + timeout);
  context.set_wait_for_ready(wait_for_ready);
  std::mutex mu;
  std::condition_variable cv;
  std::optional<::grpc::Status> done;
  stub.UnaryCall(&context, "/nasfake.test.Echo/Call", ::grpc::StubOptions(), &req, &resp,
                 [&](::grpc::Status s) {
                   std::lock_guard<std::mutex> lock(mu);
                   done = std::move(s);
                   cv.notify_all();
                 });
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return done.has_value(); });  // bounded by the deadline
  Outcome outcome{*done, ""};
  std::vector<::grpc::Slice> slices;
  if (resp.Dump(&slices).ok()) {
    for (const auto& s : slices) {
      outcome.response.append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
  }
  return outcome;
}

std::shared_ptr<::grpc::Channel> Channel(const GrpcTransport& transport) {
  ::grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return ::grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(transport.port()),
                                     ::grpc::InsecureChannelCredentials(), args);
}

// RST_STREAM's code becomes the call's status as gRPC's PROTOCOL-HTTP2
// "Errors" table maps it: REFUSED_STREAM → UNAVAILABLE (grpc++ 1.51 does not
// retry it by itself: its caller's retry policy may), CANCEL → CANCELLED,
// INTERNAL_ERROR → INTERNAL. None is retried by the library.
TEST(GrpcFaultClient, RstStreamCodesMapToGrpcStatuses) {
  NASFAKE_SKIP_GRPC_CLIENT_UNDER_TSAN();
  for (auto [code, expected] :
       {std::pair{api::kHttp2RefusedStream, ::grpc::StatusCode::UNAVAILABLE},
        {uint32_t{0x8}, ::grpc::StatusCode::CANCELLED},
        {uint32_t{0x2}, ::grpc::StatusCode::INTERNAL}}) {
    FaultyEcho echo({.kind = K::kRstStream, .code = code}, 1);
    auto transport = Serve(echo);
    ASSERT_NE(transport, nullptr);
    auto channel = Channel(*transport);
    Outcome outcome = CallOnce(*channel, "hello");
    EXPECT_EQ(outcome.status.error_code(), expected) << outcome.status.error_message();
    EXPECT_EQ(echo.calls(), 1) << code;  // not retried
  }
}

// A drain's GOAWAY below the call: grpc retries it on a new connection.
TEST(GrpcFaultClient, GoawayDrainIsRetriedOnANewConnection) {
  NASFAKE_SKIP_GRPC_CLIENT_UNDER_TSAN();
  FaultyEcho echo({.kind = K::kGoaway}, 1);
  auto transport = Serve(echo);
  ASSERT_NE(transport, nullptr);
  auto channel = Channel(*transport);
  Outcome outcome = CallOnce(*channel, "hello");
  EXPECT_TRUE(outcome.status.ok()) << outcome.status.error_message();
  EXPECT_EQ(outcome.response, "hello");
  EXPECT_EQ(echo.calls(), 2);
}

TEST(GrpcFaultClient, ResetAndCloseAreUnavailable) {
  NASFAKE_SKIP_GRPC_CLIENT_UNDER_TSAN();
  for (K kind : {K::kReset, K::kCloseBeforeResponse}) {
    FaultyEcho echo({.kind = kind}, 1);
    auto transport = Serve(echo);
    ASSERT_NE(transport, nullptr);
    auto channel = Channel(*transport);
    Outcome outcome = CallOnce(*channel, "hello");
    EXPECT_EQ(outcome.status.error_code(), ::grpc::StatusCode::UNAVAILABLE)
        << api::FaultKindName(kind) << ": " << outcome.status.error_message();
    EXPECT_TRUE(CallOnce(*Channel(*transport), "again").status.ok());  // the server serves on
  }
}

// A stall ends at the client's own deadline; the connection stays usable.
TEST(GrpcFaultClient, StallEndsAtTheClientsDeadline) {
  NASFAKE_SKIP_GRPC_CLIENT_UNDER_TSAN();
  FaultyEcho echo({.kind = K::kStall, .duration = 30s}, 1);
  auto transport = Serve(echo);
  ASSERT_NE(transport, nullptr);
  auto channel = Channel(*transport);
  Outcome stalled = CallOnce(*channel, "hello", 200ms);
  EXPECT_EQ(stalled.status.error_code(), ::grpc::StatusCode::DEADLINE_EXCEEDED);
  Outcome next = CallOnce(*channel, "again", kWait, true);
  EXPECT_TRUE(next.status.ok()) << next.status.error_message();
  EXPECT_EQ(next.response, "again");
}

TEST(GrpcFaultClient, PartialIsAnErrorNeverAMessage) {
  NASFAKE_SKIP_GRPC_CLIENT_UNDER_TSAN();
  FaultyEcho echo({.kind = K::kPartialThenClose, .bytes = 7}, 1);
  auto transport = Serve(echo);
  ASSERT_NE(transport, nullptr);
  auto channel = Channel(*transport);
  Outcome outcome = CallOnce(*channel, "hello world");
  EXPECT_FALSE(outcome.status.ok());
  EXPECT_EQ(outcome.response, "");
}

}  // namespace
}  // namespace nasfake::grpc
