// GrpcTransport against independent clients: grpc++ (GenericStub with raw
// ByteBuffers: no protos) for what real channels do, and a small raw HTTP/2
// client on nghttp2 for what grpc++ never sends (bad headers, two messages,
// garbage). No test sleeps to wait for state: handlers block on condition
// variables the tests release, and every wait is bounded.
#include "fake/grpc/grpc_transport.h"

#include <arpa/inet.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <nghttp2/nghttp2.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "fake/grpc/grpc_framing.h"
#include "tests/grpc/gate.h"
#include "tests/grpc/grpc_test_support.h"
#include "tests/grpc/raw_h2_client.h"

namespace nasfake::grpc {
namespace {

using namespace std::chrono_literals;
using ::nasfake::testing::ConnectTcp;
using ::nasfake::testing::FrameTypes;
using ::nasfake::testing::GrpcHeaders;
using ::nasfake::testing::Headers;
using ::nasfake::testing::RawH2Client;
using ::nasfake::testing::RawResponse;
using ::nasfake::testing::ReadToEof;
using ::nasfake::testing::With;
using ::nasfake::testing::Without;

constexpr auto kWait = 20s;  // the bound of every wait in these tests
constexpr const char* kMethod = "/nasfake.test.Echo/Call";

using ::nasfake::testing::Gate;

std::unique_ptr<GrpcTransport> StartTransport(GrpcHandler handler,
                                              GrpcTransport::Options options = {}) {
  auto started = GrpcTransport::Start(options, std::move(handler));
  EXPECT_TRUE(started.ok()) << started.status().message();
  if (!started.ok()) return nullptr;
  return std::move(started).value();
}

GrpcReply Echo(const GrpcCall& call) { return GrpcReply::Message(call.message); }

#define REQUIRE_GRPC_CLIENT() NASFAKE_SKIP_GRPC_CLIENT_UNDER_TSAN()

// --- grpc++ ---------------------------------------------------------------

std::shared_ptr<::grpc::Channel> NewChannel(int port) {
  ::grpc::ChannelArguments args;
  // A connection of its own per channel (no subchannel sharing).
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return ::grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(port),
                                     ::grpc::InsecureChannelCredentials(), args);
}

::grpc::ByteBuffer ToBuffer(const std::string& bytes) {
  ::grpc::Slice slice(bytes);
  return ::grpc::ByteBuffer(&slice, 1);
}

std::string FromBuffer(const ::grpc::ByteBuffer& buffer) {
  std::vector<::grpc::Slice> slices;
  std::string out;
  if (!buffer.Dump(&slices).ok()) return out;
  for (const auto& s : slices) out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

struct Result {
  ::grpc::Status status;
  std::string response;
};

// One unary call through the callback API on a context the caller owns (so
// another thread may TryCancel it until the caller's scope ends). The
// context's deadline bounds the wait.
Result CallIn(::grpc::ClientContext& ctx, ::grpc::Channel* channel, const std::string& request,
              const std::string& method = kMethod) {
  ::grpc::GenericStub stub(std::shared_ptr<::grpc::Channel>(channel, [](::grpc::Channel*) {}));
  ::grpc::ByteBuffer req = ToBuffer(request);
  ::grpc::ByteBuffer resp;
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  Result result;
  stub.UnaryCall(&ctx, method, ::grpc::StubOptions(), &req, &resp, [&](::grpc::Status s) {
    std::lock_guard<std::mutex> lock(mu);
    result.status = std::move(s);
    done = true;
    cv.notify_all();
  });
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return done; });  // bounded by the context's deadline
  result.response = FromBuffer(resp);
  return result;
}

// One unary call; `setup` adjusts the context, whose deadline is kWait
// unless setup sets one.
Result Call(::grpc::Channel* channel, const std::string& request,
            const std::function<void(::grpc::ClientContext&)>& setup = nullptr,
            const std::string& method = kMethod) {
  ::grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + kWait);
  if (setup) setup(ctx);
  return CallIn(ctx, channel, request, method);
}

// --- framing --------------------------------------------------------------

TEST(GrpcFraming, TimeoutUnitsAndBounds) {
  EXPECT_EQ(ParseGrpcTimeout("1H"), std::chrono::hours(1));
  EXPECT_EQ(ParseGrpcTimeout("2M"), std::chrono::minutes(2));
  EXPECT_EQ(ParseGrpcTimeout("3S"), std::chrono::seconds(3));
  EXPECT_EQ(ParseGrpcTimeout("99999999m"), std::chrono::milliseconds(99999999));
  EXPECT_EQ(ParseGrpcTimeout("5u"), std::chrono::microseconds(5));
  EXPECT_EQ(ParseGrpcTimeout("0n"), std::chrono::nanoseconds(0));
  EXPECT_EQ(ParseGrpcTimeout("2562047H"), std::chrono::hours(2562047));  // the last that fits
  EXPECT_EQ(ParseGrpcTimeout("2562048H"), std::chrono::nanoseconds::max());
  EXPECT_EQ(ParseGrpcTimeout("99999999H"), std::chrono::nanoseconds::max());
  EXPECT_EQ(ParseGrpcTimeout("99999999M"), std::chrono::minutes(99999999));
  for (const char* bad : {"", "S", "123456789S", "10", "10s", "-1S", " 1S", "1S ", "1.5S", "1x"}) {
    EXPECT_FALSE(ParseGrpcTimeout(bad).has_value()) << bad;
  }
}

TEST(GrpcFraming, PercentEncodingAndBase64) {
  EXPECT_EQ(PercentEncode("ok 100% \xc3\xa9\n~"), "ok 100%25 %C3%A9%0A~");
  EXPECT_EQ(PercentDecode("ok 100%25 %C3%A9%0A~ %zz %4"), "ok 100% \xc3\xa9\n~ %zz %4");
  EXPECT_EQ(Base64EncodeUnpadded(""), "");
  EXPECT_EQ(Base64EncodeUnpadded("f"), "Zg");
  EXPECT_EQ(Base64EncodeUnpadded("fo"), "Zm8");
  EXPECT_EQ(Base64EncodeUnpadded("foo"), "Zm9v");
  EXPECT_EQ(Base64Decode("Zm8"), "fo");
  EXPECT_EQ(Base64Decode("Zm8="), "fo");
  EXPECT_EQ(Base64Decode("Zg=="), "f");
  EXPECT_FALSE(Base64Decode("Z").has_value());
  EXPECT_FALSE(Base64Decode("Zm8*").has_value());
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  EXPECT_EQ(Base64Decode(Base64EncodeUnpadded(all)), all);
}

TEST(GrpcFraming, ReaderTakesOneMessageInAnySplit) {
  std::string framed = FrameMessage("hello");
  ASSERT_EQ(framed.size(), 10u);
  for (size_t split = 0; split <= framed.size(); ++split) {
    MessageReader r(100);
    EXPECT_EQ(r.Feed(framed.substr(0, split)), MessageReader::Result::kOk);
    EXPECT_EQ(r.Feed(framed.substr(split)), MessageReader::Result::kOk);
    ASSERT_TRUE(r.complete());
    EXPECT_FALSE(r.compressed());
    EXPECT_EQ(r.TakeMessage(), "hello");
  }
  MessageReader empty(100);
  EXPECT_FALSE(empty.started());
  EXPECT_EQ(empty.Feed(FrameMessage("")), MessageReader::Result::kOk);
  EXPECT_TRUE(empty.complete());
}

TEST(GrpcFraming, ReaderRefusesLargeSecondAndBadFlag) {
  MessageReader large(4);
  EXPECT_EQ(large.Feed(std::string("\0\0\0\0\5", 5)), MessageReader::Result::kTooLarge);
  EXPECT_EQ(large.declared_length(), 5u);
  EXPECT_EQ(large.buffered(), 0u);
  EXPECT_EQ(large.Feed("x"), MessageReader::Result::kTooLarge);

  MessageReader two(100);
  EXPECT_EQ(two.Feed(FrameMessage("a") + std::string(1, '\0')), MessageReader::Result::kTooMany);

  MessageReader flag(100);
  EXPECT_EQ(flag.Feed(std::string("\2\0\0\0\0", 5)), MessageReader::Result::kBadFlag);
}

// --- grpc++ against the transport -----------------------------------------

TEST(GrpcTransport, DefaultsToLoopbackAndAnyPort) {
  auto t = StartTransport(Echo);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->host(), "127.0.0.1");
  EXPECT_GT(t->port(), 0);
}

TEST(GrpcTransport, StartFailsOnABoundPort) {
  auto t = StartTransport(Echo);
  ASSERT_TRUE(t);
  GrpcTransport::Options options;
  options.port = t->port();
  auto second = GrpcTransport::Start(options, Echo);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(second.status().message().find(std::to_string(t->port())), std::string::npos);
}

TEST(GrpcTransport, EchoesMessages) {
  REQUIRE_GRPC_CLIENT();
  auto t = StartTransport(Echo);
  ASSERT_TRUE(t);
  auto channel = NewChannel(t->port());
  std::string binary("\0\1\2\xff payload", 12);
  Result r = Call(channel.get(), binary);
  ASSERT_TRUE(r.status.ok()) << r.status.error_message();
  EXPECT_EQ(r.response, binary);
  Result empty = Call(channel.get(), "");
  ASSERT_TRUE(empty.status.ok()) << empty.status.error_message();
  EXPECT_EQ(empty.response, "");
}

TEST(GrpcTransport, StatusMessageAndDetailsReachTheClient) {
  REQUIRE_GRPC_CLIENT();
  const std::string message = "not found: caf\xc3\xa9 100% done\x01 \"quoted\"";
  const std::string details("\x08\x05\x12\x03\x00\xff\xfe details", 16);
  auto t = StartTransport([&](const GrpcCall&) { return GrpcReply::Error(5, message, details); });
  ASSERT_TRUE(t);
  auto channel = NewChannel(t->port());
  Result r = Call(channel.get(), "x");
  EXPECT_EQ(r.status.error_code(), ::grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(r.status.error_message(), message);
  EXPECT_EQ(r.status.error_details(), details);
}

TEST(GrpcTransport, TrailersOnlyOnTheWire) {
  const std::string details = "ab";  // base64 "YWI=" padded
  auto t = StartTransport(
      [&](const GrpcCall&) { return GrpcReply::Error(3, "bad 100% \xc3\xa9", details); });
  ASSERT_TRUE(t);
  RawH2Client client(t->port());
  const RawResponse& r = client.Wait(client.Request(GrpcHeaders(), FrameMessage("x")));
  EXPECT_EQ(r.Get(":status"), "200");
  EXPECT_EQ(r.Get("content-type"), "application/grpc");
  EXPECT_EQ(r.Get("grpc-status"), "3");
  EXPECT_EQ(r.Get("grpc-message"), "bad 100%25 %C3%A9");
  EXPECT_EQ(r.Get("grpc-status-details-bin"), "YWI");  // unpadded
  EXPECT_EQ(r.Get("grpc-accept-encoding"), "identity");
  EXPECT_TRUE(r.trailers.empty());  // all in the one HEADERS frame
  EXPECT_TRUE(r.data.empty());
}

TEST(GrpcTransport, MessageAnswerOnTheWire) {
  auto t = StartTransport(Echo);
  ASSERT_TRUE(t);
  RawH2Client client(t->port());
  const RawResponse& r = client.Wait(client.Request(GrpcHeaders(), FrameMessage("hi")));
  EXPECT_EQ(r.Get(":status"), "200");
  EXPECT_EQ(r.Get("content-type"), "application/grpc");
  EXPECT_EQ(r.data, FrameMessage("hi"));
  ASSERT_EQ(r.trailers.size(), 1u);
  EXPECT_EQ(r.trailers[0], (std::pair<std::string, std::string>("grpc-status", "0")));
  EXPECT_EQ(r.rst_code, 0u);
}

TEST(GrpcTransport, HandlerSeesPathMetadataAndDeadline) {
  REQUIRE_GRPC_CLIENT();
  std::mutex mu;
  GrpcCall seen;
  auto t = StartTransport([&](const GrpcCall& call) {
    std::lock_guard<std::mutex> lock(mu);
    seen = call;
    return GrpcReply::Message("");
  });
  ASSERT_TRUE(t);
  auto channel = NewChannel(t->port());
  const std::string bin("\0\xff\x01", 3);
  Result r = Call(
      channel.get(), "req",
      [&](::grpc::ClientContext& ctx) {
        ctx.AddMetadata("x-custom", "Value 1");
        ctx.AddMetadata("x-goog-request-params", "name=projects%2Fp%2Flocations%2Fus-central1");
        ctx.AddMetadata("x-trace-bin", bin);
        ctx.set_deadline(std::chrono::system_clock::now() + 15s);
      },
      "/google.cloud.aiplatform.v1.JobService/GetNasJob");
  ASSERT_TRUE(r.status.ok()) << r.status.error_message();
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(seen.path, "/google.cloud.aiplatform.v1.JobService/GetNasJob");
  EXPECT_EQ(seen.message, "req");
  std::map<std::string, std::string> md(seen.metadata.begin(), seen.metadata.end());
  EXPECT_EQ(md["x-custom"], "Value 1");
  EXPECT_EQ(md["x-goog-request-params"], "name=projects%2Fp%2Flocations%2Fus-central1");
  EXPECT_EQ(Base64Decode(md["x-trace-bin"]), bin);  // left base64 as sent
  EXPECT_NE(md["user-agent"].find("grpc-c++"), std::string::npos) << md["user-agent"];
  EXPECT_EQ(md["te"], "trailers");
  EXPECT_EQ(md["content-type"], "application/grpc");
  EXPECT_TRUE(md.count("grpc-timeout"));
  for (const auto& [k, v] : seen.metadata) EXPECT_NE(k[0], ':') << k;
  ASSERT_TRUE(seen.deadline.has_value());
  auto left = *seen.deadline - std::chrono::steady_clock::now();
  EXPECT_GT(left, 5s);
  EXPECT_LE(left, 16s);  // grpc core rounds grpc-timeout up (e.g. 15100m)
  EXPECT_EQ(seen.remote_addr.rfind("127.0.0.1:", 0), 0u) << seen.remote_addr;
}

TEST(GrpcTransport, DeadlinePassesWhileTheHandlerBlocks) {
  REQUIRE_GRPC_CLIENT();
  Gate gate;
  auto t = StartTransport([&](const GrpcCall& call) {
    gate.Enter();
    return GrpcReply::Message(call.message);
  });
  ASSERT_TRUE(t);
  auto channel = NewChannel(t->port());
  Result r = Call(channel.get(), "x", [](::grpc::ClientContext& ctx) {
    ctx.set_deadline(std::chrono::system_clock::now() + 200ms);
  });
  EXPECT_EQ(r.status.error_code(), ::grpc::StatusCode::DEADLINE_EXCEEDED);
  gate.Open();  // the late reply is dropped
  Result next = Call(channel.get(), "y");
  ASSERT_TRUE(next.status.ok()) << next.status.error_message();
  EXPECT_EQ(next.response, "y");
}

TEST(GrpcTransport, TransportAnswersTheDeadlineItselfAndStaysResponsive) {
  Gate gate;
  auto t = StartTransport([&](const GrpcCall& call) {
    if (call.message == "block") gate.Enter();
    return GrpcReply::Message(call.message);
  });
  ASSERT_TRUE(t);
  RawH2Client client(t->port());
  int32_t blocked =
      client.Request(With(GrpcHeaders(), "grpc-timeout", "300m"), FrameMessage("block"));
  ASSERT_TRUE(gate.WaitEntered(1));
  // While the handler blocks: PING and other streams are answered.
  EXPECT_TRUE(client.Ping());
  const RawResponse& other = client.Wait(client.Request(GrpcHeaders(), FrameMessage("other")));
  EXPECT_EQ(other.data, FrameMessage("other"));
  // The raw client has no deadline of its own: this answer is the server's.
  const RawResponse& r = client.Wait(blocked);
  EXPECT_EQ(r.Get("grpc-status"), "4");
  EXPECT_EQ(r.Get("grpc-message"), "Deadline Exceeded");
  EXPECT_TRUE(r.data.empty());
  gate.Open();
  const RawResponse& after = client.Wait(client.Request(GrpcHeaders(), FrameMessage("after")));
  EXPECT_EQ(after.data, FrameMessage("after"));
}

TEST(GrpcTransport, InvalidTimeoutIsIgnored) {
  std::atomic<bool> had_deadline{true};
  auto t = StartTransport([&](const GrpcCall& call) {
    had_deadline = call.deadline.has_value();
    return GrpcReply::Message(call.message);
  });
  ASSERT_TRUE(t);
  RawH2Client client(t->port());
  const RawResponse& r = client.Wait(
      client.Request(With(GrpcHeaders(), "grpc-timeout", "123456789S"), FrameMessage("x")));
  EXPECT_EQ(r.Get("grpc-status"), "0");
  EXPECT_FALSE(had_deadline);
}

TEST(GrpcTransport, OversizedMessageIsRefused) {
  REQUIRE_GRPC_CLIENT();
  std::atomic<int> calls{0};
  auto t = StartTransport([&](const GrpcCall& call) {
    ++calls;
    return GrpcReply::Message(call.message);
  });
  ASSERT_TRUE(t);
  auto channel = NewChannel(t->port());
  Result r = Call(channel.get(), std::string(4 * 1024 * 1024 + 1, 'x'));
  EXPECT_EQ(r.status.error_code(), ::grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(r.status.error_message(), "Received message larger than max (4194305 vs. 4194304)");
  EXPECT_EQ(calls, 0);
  Result exact = Call(channel.get(), std::string(4 * 1024 * 1024, 'y'));
  ASSERT_TRUE(exact.status.ok()) << exact.status.error_message();
  EXPECT_EQ(exact.response.size(), 4u * 1024 * 1024);
}

TEST(GrpcTransport, HttpAnswerIsMappedByTheClient) {
  auto t = StartTransport([](const GrpcCall&) {
    return GrpcReply::Http(502, "text/html", "<html>Bad Gateway</html>");
  });
  ASSERT_TRUE(t);
  if (testing::UseGrpcClient()) {
    auto channel = NewChannel(t->port());
    Result r = Call(channel.get(), "x");
    EXPECT_EQ(r.status.error_code(), ::grpc::StatusCode::UNAVAILABLE) << r.status.error_message();
  }

  RawH2Client client(t->port());
  const RawResponse& raw = client.Wait(client.Request(GrpcHeaders(), FrameMessage("x")));
  EXPECT_EQ(raw.Get(":status"), "502");
  EXPECT_EQ(raw.Get("content-type"), "text/html");
  EXPECT_EQ(raw.data, "<html>Bad Gateway</html>");
  EXPECT_EQ(raw.Get("grpc-status"), "<none>");
}

TEST(GrpcTransport, GzipCompressedRequestIsUnimplemented) {
  REQUIRE_GRPC_CLIENT();
  std::atomic<int> calls{0};
  auto t = StartTransport([&](const GrpcCall& call) {
    ++calls;
    return GrpcReply::Message(call.message);
  });
  ASSERT_TRUE(t);
  auto channel = NewChannel(t->port());
  // Compressible, so grpc core really compresses it (it sends a message that
  // gzip would enlarge uncompressed).
  Result r = Call(channel.get(), std::string(10000, 'a'), [](::grpc::ClientContext& ctx) {
    ctx.set_compression_algorithm(GRPC_COMPRESS_GZIP);
  });
  EXPECT_EQ(r.status.error_code(), ::grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_NE(r.status.error_message().find("'gzip'"), std::string::npos) << r.status.error_message();
  EXPECT_EQ(calls, 0);
}

TEST(GrpcTransport, ManyConcurrentCallsOnOneChannel) {
  REQUIRE_GRPC_CLIENT();
  constexpr int kConcurrent = 10;
  Gate all_in;
  std::atomic<int> inside{0};
  auto t = StartTransport([&](const GrpcCall& call) {
    // Each handler waits until all kConcurrent are inside at once: they run
    // on threads of their own, not on the connection's.
    ++inside;
    all_in.Enter();
    return GrpcReply::Message(call.message);
  });
  ASSERT_TRUE(t);
  auto channel = NewChannel(t->port());
  std::vector<Result> results(kConcurrent + 40);
  std::vector<std::thread> threads;
  for (int i = 0; i < static_cast<int>(results.size()); ++i) {
    threads.emplace_back([&, i] { results[i] = Call(channel.get(), "m" + std::to_string(i)); });
  }
  EXPECT_TRUE(all_in.WaitEntered(kConcurrent));
  all_in.Open();
  for (auto& th : threads) th.join();
  for (int i = 0; i < static_cast<int>(results.size()); ++i) {
    ASSERT_TRUE(results[i].status.ok()) << i << ": " << results[i].status.error_message();
    EXPECT_EQ(results[i].response, "m" + std::to_string(i));
  }
}

TEST(GrpcTransport, SixteenChannels) {
  REQUIRE_GRPC_CLIENT();
  auto t = StartTransport(Echo);
  ASSERT_TRUE(t);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int c = 0; c < 16; ++c) {
    threads.emplace_back([&, c] {
      auto channel = NewChannel(t->port());
      for (int i = 0; i < 20; ++i) {
        std::string m = std::to_string(c) + "/" + std::to_string(i);
        Result r = Call(channel.get(), m);
        if (r.status.ok() && r.response == m) ++ok;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok, 16 * 20);
}

TEST(GrpcTransport, ManyStreamsOnManyRawConnections) {
  constexpr int kConnections = 8;
  constexpr int kStreams = 10;
  Gate all_in;
  auto t = StartTransport([&](const GrpcCall& call) {
    all_in.Enter();  // the first kConnections calls wait for each other
    return GrpcReply::Message(call.message);
  });
  ASSERT_TRUE(t);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int c = 0; c < kConnections; ++c) {
    threads.emplace_back([&, c] {
      RawH2Client client(t->port());
      std::vector<std::pair<int32_t, std::string>> ids;
      for (int i = 0; i < kStreams; ++i) {
        std::string m = std::to_string(c) + "/" + std::to_string(i);
        ids.emplace_back(client.Request(GrpcHeaders(), FrameMessage(m)), m);
      }
      for (const auto& [id, m] : ids) {
        if (client.Wait(id).data == FrameMessage(m)) ++ok;
      }
    });
  }
  EXPECT_TRUE(all_in.WaitEntered(kConnections));
  all_in.Open();
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok, kConnections * kStreams);
}

TEST(GrpcTransport, CallLimitAnswersResourceExhausted) {
  Gate gate;
  GrpcTransport::Options options;
  options.max_concurrent_calls = 2;
  auto t = StartTransport(
      [&](const GrpcCall& call) {
        gate.Enter();
        return GrpcReply::Message(call.message);
      },
      options);
  ASSERT_TRUE(t);
  RawH2Client client(t->port());
  int32_t a = client.Request(GrpcHeaders(), FrameMessage("a"));
  int32_t b = client.Request(GrpcHeaders(), FrameMessage("b"));
  ASSERT_TRUE(gate.WaitEntered(2));
  const RawResponse& third = client.Wait(client.Request(GrpcHeaders(), FrameMessage("c")));
  EXPECT_EQ(third.Get("grpc-status"), "8");
  EXPECT_EQ(third.Get("grpc-message"), "too many concurrent calls");
  gate.Open();
  EXPECT_EQ(client.Wait(a).data, FrameMessage("a"));
  EXPECT_EQ(client.Wait(b).data, FrameMessage("b"));
}

TEST(GrpcTransport, CancelledCallDropsTheLateReply) {
  REQUIRE_GRPC_CLIENT();
  Gate gate;
  auto t = StartTransport([&](const GrpcCall& call) {
    if (call.message == "block") gate.Enter();
    return GrpcReply::Message(call.message);
  });
  ASSERT_TRUE(t);
  auto channel = NewChannel(t->port());
  ::grpc::ClientContext ctx;  // outlives the canceller, which joins first
  ctx.set_deadline(std::chrono::system_clock::now() + kWait);
  std::thread canceller([&] {
    ASSERT_TRUE(gate.WaitEntered(1));
    ctx.TryCancel();  // RST_STREAM(CANCEL)
  });
  Result r = CallIn(ctx, channel.get(), "block");
  canceller.join();
  EXPECT_EQ(r.status.error_code(), ::grpc::StatusCode::CANCELLED);
  gate.Open();
  Result next = Call(channel.get(), "next");
  ASSERT_TRUE(next.status.ok()) << next.status.error_message();
}

TEST(GrpcTransport, ClosedConnectionDropsTheLateReply) {
  Gate gate;
  auto t = StartTransport([&](const GrpcCall& call) {
    gate.Enter();
    return GrpcReply::Message(call.message);
  });
  ASSERT_TRUE(t);
  {
    RawH2Client client(t->port());
    client.Request(GrpcHeaders(), FrameMessage("x"));
    ASSERT_TRUE(gate.WaitEntered(1));
    client.CloseSocket();
  }
  gate.Open();
  t->Stop();  // waits for the handler thread, whose reply goes nowhere
}

TEST(GrpcTransport, StopIsQuickWithIdleChannelsAndReleasesHandlers) {
  Gate gate;
  GrpcTransport::Options options;
  options.on_stop = [&] { gate.Open(); };
  auto t = StartTransport(
      [&](const GrpcCall& call) {
        if (call.message == "block") gate.Enter();
        return GrpcReply::Message(call.message);
      },
      options);
  ASSERT_TRUE(t);
  std::vector<std::shared_ptr<::grpc::Channel>> channels;
  for (int i = 0; testing::UseGrpcClient() && i < 8; ++i) {
    channels.push_back(NewChannel(t->port()));
    ASSERT_TRUE(Call(channels.back().get(), "hello").status.ok());
  }
  std::vector<std::unique_ptr<RawH2Client>> idle;
  for (int i = 0; i < 8; ++i) {
    idle.push_back(std::make_unique<RawH2Client>(t->port()));
    ASSERT_TRUE(idle.back()->Ping());
  }
  RawH2Client blocked(t->port());
  blocked.Request(GrpcHeaders(), FrameMessage("block"));
  ASSERT_TRUE(gate.WaitEntered(1));
  t->Stop();  // completes: idle connections woken, the blocked handler released by on_stop
  t->Stop();  // idempotent
  EXPECT_FALSE(idle[0]->Ping());  // GOAWAY, then the close
  if (!channels.empty()) {
    Result after = Call(channels[0].get(), "x", [](::grpc::ClientContext& ctx) {
      ctx.set_deadline(std::chrono::system_clock::now() + 2s);
    });
    EXPECT_FALSE(after.status.ok());
  }
}

// --- what grpc++ never sends ----------------------------------------------

TEST(GrpcTransport, RequestValidation) {
  std::atomic<int> calls{0};
  auto t = StartTransport([&](const GrpcCall& call) {
    ++calls;
    return GrpcReply::Message(call.message);
  });
  ASSERT_TRUE(t);
  RawH2Client client(t->port());
  {
    const RawResponse& r = client.Wait(
        client.Request(With(GrpcHeaders(), "content-type", "application/json"), FrameMessage("x")));
    EXPECT_EQ(r.Get(":status"), "415");
    EXPECT_EQ(r.Get("grpc-status"), "<none>");
    EXPECT_NE(r.data.find("application/json"), std::string::npos);
  }
  {
    const RawResponse& r =
        client.Wait(client.Request(Without(GrpcHeaders(), "content-type"), FrameMessage("x")));
    EXPECT_EQ(r.Get(":status"), "415");
  }
  {
    const RawResponse& r =
        client.Wait(client.Request(With(GrpcHeaders(), ":method", "GET"), std::nullopt));
    EXPECT_EQ(r.Get("grpc-status"), "2");
    EXPECT_EQ(r.Get("grpc-message"), "Bad method header");
  }
  {
    const RawResponse& r =
        client.Wait(client.Request(Without(GrpcHeaders(), "te"), FrameMessage("x")));
    EXPECT_EQ(r.Get("grpc-status"), "2");
    EXPECT_EQ(r.Get("grpc-message"), "Missing :te header");
  }
  {
    const RawResponse& r = client.Wait(client.Request(GrpcHeaders(), std::nullopt));
    EXPECT_EQ(r.Get("grpc-status"), "13");
    EXPECT_EQ(r.Get("grpc-message"), "Half-closed without a request");
  }
  {
    const RawResponse& r = client.Wait(client.Request(GrpcHeaders(), std::string("\0\0\0", 3)));
    EXPECT_EQ(r.Get("grpc-status"), "13");
    EXPECT_EQ(r.Get("grpc-message"), "Half-closed with an incomplete request message");
  }
  {
    const RawResponse& r =
        client.Wait(client.Request(GrpcHeaders(), FrameMessage("a") + FrameMessage("b")));
    EXPECT_EQ(r.Get("grpc-status"), "13");
    EXPECT_EQ(r.Get("grpc-message"), "Too many requests");
  }
  {
    std::string compressed = FrameMessage("abc");
    compressed[0] = '\1';
    const RawResponse& r = client.Wait(client.Request(GrpcHeaders(), compressed));
    EXPECT_EQ(r.Get("grpc-status"), "13");
    const RawResponse& gz =
        client.Wait(client.Request(With(GrpcHeaders(), "grpc-encoding", "gzip"), compressed));
    EXPECT_EQ(gz.Get("grpc-status"), "12");
    EXPECT_EQ(gz.Get("grpc-message"), "Compression algorithm 'gzip' is not supported");
    EXPECT_EQ(gz.Get("grpc-accept-encoding"), "identity");
    // The header alone is no error: this message is not compressed.
    const RawResponse& plain = client.Wait(
        client.Request(With(GrpcHeaders(), "grpc-encoding", "gzip"), FrameMessage("abc")));
    EXPECT_EQ(plain.Get("grpc-status"), "0");
  }
  {
    Headers big = GrpcHeaders();
    big.emplace_back("x-big", std::string(17000, 'b'));
    const RawResponse& r = client.Wait(client.Request(big, FrameMessage("x")));
    EXPECT_EQ(r.Get("grpc-status"), "8");
  }
  EXPECT_EQ(calls, 1);  // only the uncompressed gzip-labelled one
  // The connection survived all of it.
  EXPECT_EQ(client.Wait(client.Request(GrpcHeaders(), FrameMessage("ok"))).data,
            FrameMessage("ok"));
}

TEST(GrpcTransport, EarlyAnswerResetsTheStreamWithNoError) {
  auto t = StartTransport(Echo);
  ASSERT_TRUE(t);
  RawH2Client client(t->port());
  // 5 MiB declared: answered after the prefix, long before the body ends.
  std::string big = FrameMessage(std::string(5 * 1024 * 1024, 'z'));
  const RawResponse& r = client.Wait(client.Request(GrpcHeaders(), big));
  EXPECT_EQ(r.Get("grpc-status"), "8");
  EXPECT_EQ(r.rst_code, static_cast<uint32_t>(NGHTTP2_NO_ERROR));
  EXPECT_EQ(client.Wait(client.Request(GrpcHeaders(), FrameMessage("ok"))).data,
            FrameMessage("ok"));
}

TEST(GrpcTransport, GarbageGetsGoawayAndTheServerKeepsServing) {
  auto t = StartTransport(Echo);
  ASSERT_TRUE(t);
  int fd = ConnectTcp(t->port());
  const std::string garbage = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
  ASSERT_EQ(::send(fd, garbage.data(), garbage.size(), MSG_NOSIGNAL),
            static_cast<ssize_t>(garbage.size()));
  std::string got;
  EXPECT_TRUE(ReadToEof(fd, got));
  ::close(fd);
  std::vector<int> types = FrameTypes(got);
  ASSERT_FALSE(types.empty());
  EXPECT_EQ(types.front(), NGHTTP2_SETTINGS);
  EXPECT_EQ(types.back(), NGHTTP2_GOAWAY);

  // A valid preface, then a malformed frame (a DATA frame on stream 0).
  fd = ConnectTcp(t->port());
  std::string bad = NGHTTP2_CLIENT_MAGIC;
  bad += std::string("\0\0\0\4\0\0\0\0\0", 9);    // SETTINGS, empty
  bad += std::string("\0\0\1\0\0\0\0\0\0x", 10);  // DATA on stream 0
  ASSERT_EQ(::send(fd, bad.data(), bad.size(), MSG_NOSIGNAL), static_cast<ssize_t>(bad.size()));
  got.clear();
  EXPECT_TRUE(ReadToEof(fd, got));
  ::close(fd);
  types = FrameTypes(got);
  ASSERT_FALSE(types.empty());
  EXPECT_EQ(types.back(), NGHTTP2_GOAWAY);

  RawH2Client client(t->port());
  EXPECT_EQ(client.Wait(client.Request(GrpcHeaders(), FrameMessage("still"))).data,
            FrameMessage("still"));
  if (testing::UseGrpcClient()) {
    auto channel = NewChannel(t->port());
    Result r = Call(channel.get(), "still");
    ASSERT_TRUE(r.status.ok()) << r.status.error_message();
  }
}

TEST(GrpcTransport, SilentConnectionIsClosedAfterThePrefaceTimeout) {
  GrpcTransport::Options options;
  options.preface_timeout = 100ms;
  auto t = StartTransport(Echo, options);
  ASSERT_TRUE(t);
  int fd = ConnectTcp(t->port());
  std::string got;
  EXPECT_TRUE(ReadToEof(fd, got));  // the server's SETTINGS, then the close
  ::close(fd);
  std::vector<int> types = FrameTypes(got);
  ASSERT_FALSE(types.empty());
  EXPECT_EQ(types.front(), NGHTTP2_SETTINGS);
}

TEST(GrpcTransport, ConnectionLimit) {
  GrpcTransport::Options options;
  options.max_connections = 1;
  auto t = StartTransport(Echo, options);
  ASSERT_TRUE(t);
  RawH2Client first(t->port());
  EXPECT_TRUE(first.Ping());
  int fd = ConnectTcp(t->port());
  std::string got;
  EXPECT_TRUE(ReadToEof(fd, got));  // closed at once, nothing sent
  EXPECT_TRUE(got.empty());
  ::close(fd);
  EXPECT_TRUE(first.Ping());
}

}  // namespace
}  // namespace nasfake::grpc
