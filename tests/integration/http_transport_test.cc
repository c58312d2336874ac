// HttpTransport over real 127.0.0.1 sockets: httplib::Client where a normal
// client will do, raw POSIX sockets where the test needs to see the wire.
// Time is used only for bounded waits (client-side poll timeouts) and for
// generous upper bounds on operations that must not block (Stop()).
#include "fake/server/http_transport.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "fake/testing/status_matchers.h"

namespace nasfake::server {
namespace {

using ::nasfake::testing::IsOk;
using ::nasfake::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr milliseconds kClientWait{5000};  // bound for answers that should come at once

// What the handler saw, from any connection thread.
class Recorder {
 public:
  void Add(const api::Request& request) {
    std::lock_guard<std::mutex> lock(mu_);
    requests_.push_back(request);
  }
  std::vector<api::Request> requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  size_t size() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_.size();
  }
  // One entry per client connection ("ip:port").
  std::set<std::string> RemoteAddrs() const {
    std::lock_guard<std::mutex> lock(mu_);
    std::set<std::string> out;
    for (const auto& r : requests_) out.insert(r.remote_addr);
    return out;
  }

 private:
  mutable std::mutex mu_;
  std::vector<api::Request> requests_;
};

HttpTransport::Handler Recording(Recorder* recorder, std::string body = R"({"ok":true})") {
  return [recorder, body](api::Request&& request) {
    recorder->Add(request);
    api::Response response;
    response.body = body;
    return response;
  };
}

std::unique_ptr<HttpTransport> MustStart(const HttpTransport::Options& options,
                                         HttpTransport::Handler handler) {
  auto transport = HttpTransport::Start(options, std::move(handler));
  EXPECT_THAT(transport, IsOk());
  if (!transport.ok()) return nullptr;
  return std::move(transport).value();
}

std::unique_ptr<httplib::Client> KeepAliveClient(int port) {
  auto client = std::make_unique<httplib::Client>("127.0.0.1", port);
  client->set_keep_alive(true);
  client->set_read_timeout(5, 0);
  client->set_write_timeout(5, 0);
  client->set_connection_timeout(5, 0);
  return client;
}

// A blocking TCP client socket with bounded reads.
class RawClient {
 public:
  explicit RawClient(int port, bool expect_connected = true) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    if (expect_connected) {
      EXPECT_TRUE(connected_) << std::strerror(errno);
    }
  }
  ~RawClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return connected_; }

  int local_port() const {
    sockaddr_in addr{};
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    return ntohs(addr.sin_port);
  }

  bool Send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  static constexpr ssize_t kTimedOut = -2;
  struct Read {
    ssize_t n = 0;  // bytes, 0 at EOF, -1 on error (err), kTimedOut
    int err = 0;
  };
  // One recv() once data (or EOF, or an error) is there, waiting at most `timeout`.
  Read ReadSome(std::string& out, milliseconds timeout) {
    pollfd pfd{fd_, POLLIN, 0};
    int ready;
    do {
      ready = ::poll(&pfd, 1, static_cast<int>(timeout.count()));
    } while (ready < 0 && errno == EINTR);
    if (ready == 0) return {kTimedOut, 0};
    char buf[4096];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n < 0) return {-1, errno};
    out.append(buf, static_cast<size_t>(n));
    return {n, 0};
  }

  struct All {
    std::string data;
    bool eof = false;
    int err = 0;
    bool timed_out = false;
    int reads = 0;  // recv() calls that returned data
  };
  // Everything until EOF or an error; gives up `timeout` after the start.
  All ReadAll(milliseconds timeout) {
    All all;
    auto deadline = Clock::now() + timeout;
    for (;;) {
      auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
      Read r = ReadSome(all.data, std::max(left, milliseconds(0)));
      if (r.n > 0) {
        ++all.reads;
        continue;
      }
      if (r.n == 0) all.eof = true;
      if (r.n == -1) all.err = r.err;
      if (r.n == kTimedOut) all.timed_out = true;
      return all;
    }
  }

  // One complete response (headers and Content-Length body); "" if the
  // connection ends first or `timeout` passes.
  std::string ReadResponse(milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    for (;;) {
      size_t end = pending_.find("\r\n\r\n");
      if (end != std::string::npos) {
        size_t total = end + 4 + ContentLengthOf(pending_.substr(0, end + 2));
        if (pending_.size() >= total) {
          std::string response = pending_.substr(0, total);
          pending_.erase(0, total);
          return response;
        }
      }
      auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
      if (ReadSome(pending_, std::max(left, milliseconds(0))).n <= 0) return "";
    }
  }

  static size_t ContentLengthOf(const std::string& head) {
    std::string lower = head;
    for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    size_t pos = lower.find("\r\ncontent-length:");
    if (pos == std::string::npos) return 0;
    return std::stoul(head.substr(pos + 17));
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
  std::string pending_;
};

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// ---------------------------------------------------------------------------
// What the handler sees and what the client gets.

TEST(HttpTransportTest, HandlerSeesRawTargetLowercaseHeadersAndBody) {
  Recorder recorder;
  auto transport = MustStart({}, [&](api::Request&& request) {
    recorder.Add(request);
    api::Response response;
    response.status = 201;
    response.headers = {{"X-Reply", "yes"}};
    response.body = R"({"name":"x"})";
    return response;
  });
  ASSERT_NE(transport, nullptr);
  const std::string target =
      "/v1/projects/p/locations/us-central1/nasJobs/a%2Fb:cancel?$alt=json&k=v%20w";
  const std::string body = R"({"a":"b%2Fc d"})";
  RawClient client(transport->port());
  ASSERT_TRUE(client.Send("POST " + target +
                          " HTTP/1.1\r\n"
                          "Host: 127.0.0.1\r\n"
                          "X-Goog-Api-Client: gl-cpp%2F1.0\r\n"
                          "Content-Type: application/json\r\n"
                          "Content-Length: " +
                          std::to_string(body.size()) + "\r\n\r\n" + body));
  std::string response = client.ReadResponse(kClientWait);
  EXPECT_TRUE(StartsWith(response, "HTTP/1.1 201 Created\r\n")) << response;
  EXPECT_NE(response.find("\r\nX-Reply: yes\r\n"), std::string::npos) << response;
  EXPECT_NE(response.find("\r\nContent-Type: application/json; charset=UTF-8\r\n"),
            std::string::npos)
      << response;
  EXPECT_NE(response.find("\r\n\r\n{\"name\":\"x\"}"), std::string::npos) << response;

  ASSERT_EQ(recorder.size(), 1u);
  const api::Request request = recorder.requests()[0];
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.target, target);  // %2F and the query untouched
  EXPECT_EQ(request.body, body);
  EXPECT_EQ(request.remote_addr, "127.0.0.1:" + std::to_string(client.local_port()));
  const api::HeaderList expected = {{"host", "127.0.0.1"},
                                    {"x-goog-api-client", "gl-cpp%2F1.0"},
                                    {"content-type", "application/json"},
                                    {"content-length", std::to_string(body.size())}};
  EXPECT_EQ(request.headers, expected);  // wire order, raw values, nothing synthetic
}

TEST(HttpTransportTest, HttplibClientGetAndHead) {
  Recorder recorder;
  auto transport = MustStart({}, Recording(&recorder, "hello"));
  ASSERT_NE(transport, nullptr);
  auto client = KeepAliveClient(transport->port());
  auto get = client->Get("/v1/a?b=c");
  ASSERT_TRUE(get) << httplib::to_string(get.error());
  EXPECT_EQ(get->status, 200);
  EXPECT_EQ(get->body, "hello");
  auto head = client->Head("/v1/a");
  ASSERT_TRUE(head) << httplib::to_string(head.error());
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->get_header_value("Content-Length"), "5");
  EXPECT_EQ(head->body, "");
  ASSERT_EQ(recorder.size(), 2u);
  EXPECT_EQ(recorder.requests()[0].method, "GET");
  EXPECT_EQ(recorder.requests()[0].target, "/v1/a?b=c");
  EXPECT_EQ(recorder.requests()[1].method, "HEAD");
}

// The head of an answer is held back to leave with its body in one send
// (bodies up to 16 KiB): around that bound, with no body, and for HEAD (no
// body write at all), every answer arrives whole and in order on one
// keep-alive connection.
TEST(HttpTransportTest, AnswersOfEverySizeArriveWholeAndInOrder) {
  Recorder recorder;
  auto transport = MustStart({}, [&](api::Request&& request) {
    recorder.Add(request);
    api::Response response;
    const size_t size = std::stoul(request.target.substr(1));
    for (size_t i = 0; i < size; ++i) response.body += static_cast<char>('a' + i % 26);
    return response;
  });
  ASSERT_NE(transport, nullptr);
  auto client = KeepAliveClient(transport->port());
  const std::vector<size_t> sizes = {0, 1, 16 * 1024 - 1, 16 * 1024, 16 * 1024 + 1, 300000, 7};
  for (size_t size : sizes) {
    const std::string path = "/" + std::to_string(size);
    auto get = client->Get(path);
    ASSERT_TRUE(get) << size << ": " << httplib::to_string(get.error());
    ASSERT_EQ(get->body.size(), size);
    for (size_t i = 0; i < size; ++i) ASSERT_EQ(get->body[i], 'a' + i % 26) << size << " @" << i;
    auto head = client->Head(path);
    ASSERT_TRUE(head) << size << ": " << httplib::to_string(head.error());
    EXPECT_EQ(head->get_header_value("Content-Length"), std::to_string(size));
    EXPECT_EQ(head->body, "");
  }
  const auto requests = recorder.requests();
  ASSERT_EQ(requests.size(), 2 * sizes.size());
  for (const auto& request : requests) EXPECT_EQ(request.remote_addr, requests[0].remote_addr);
}

TEST(HttpTransportTest, PostWithoutContentLengthHasAnEmptyBody) {
  Recorder recorder;
  auto transport = MustStart({}, Recording(&recorder));
  ASSERT_NE(transport, nullptr);
  RawClient client(transport->port());
  ASSERT_TRUE(client.Send("POST /v1/x:cancel HTTP/1.1\r\nHost: a\r\n\r\n"));
  // read_timeout is 10 s: an answer within the bound shows nothing waited for a body.
  std::string response = client.ReadResponse(milliseconds(3000));
  EXPECT_TRUE(StartsWith(response, "HTTP/1.1 200 OK\r\n")) << response;
  ASSERT_EQ(recorder.size(), 1u);
  EXPECT_EQ(recorder.requests()[0].body, "");
}

TEST(HttpTransportTest, ChunkedBodyIsPassedAndBounded) {
  Recorder recorder;
  HttpTransport::Options options;
  options.max_body_bytes = 1000;
  auto transport = MustStart(options, Recording(&recorder));
  ASSERT_NE(transport, nullptr);
  {
    RawClient client(transport->port());
    ASSERT_TRUE(
        client.Send("POST /v1/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"));
    EXPECT_TRUE(StartsWith(client.ReadResponse(kClientWait), "HTTP/1.1 200 OK\r\n"));
    ASSERT_EQ(recorder.size(), 1u);
    EXPECT_EQ(recorder.requests()[0].body, "hello world");
  }
  {
    RawClient client(transport->port());
    std::string chunk(600, 'x');
    ASSERT_TRUE(client.Send("POST /v1/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" +
                            std::string("258\r\n") + chunk + "\r\n258\r\n" + chunk +
                            "\r\n0\r\n\r\n"));
    RawClient::All all = client.ReadAll(kClientWait);
    EXPECT_TRUE(StartsWith(all.data, "HTTP/1.1 413 Payload Too Large\r\n")) << all.data;
    EXPECT_TRUE(all.eof);
    EXPECT_EQ(recorder.size(), 1u);
  }
}

TEST(HttpTransportTest, BodyFramingEdgeCases) {
  Recorder recorder;
  auto transport = MustStart({}, Recording(&recorder));
  ASSERT_NE(transport, nullptr);
  {  // DELETE with a chunked body: read like any other
    RawClient client(transport->port());
    ASSERT_TRUE(
        client.Send("DELETE /v1/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "3\r\nabc\r\n0\r\n\r\nGET /after HTTP/1.1\r\nHost: a\r\n\r\n"));
    EXPECT_TRUE(StartsWith(client.ReadResponse(kClientWait), "HTTP/1.1 200 OK\r\n"));
    EXPECT_TRUE(StartsWith(client.ReadResponse(kClientWait), "HTTP/1.1 200 OK\r\n"));
  }
  {  // a compressed body reaches the handler as sent, with its Content-Encoding
    RawClient client(transport->port());
    const std::string gz("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10);
    ASSERT_TRUE(client.Send(
        "POST /v1/x HTTP/1.1\r\nHost: a\r\nContent-Encoding: gzip\r\nContent-Length: 10\r\n\r\n" +
        gz));
    EXPECT_TRUE(StartsWith(client.ReadResponse(kClientWait), "HTTP/1.1 200 OK\r\n"));
  }
  {  // a GET with a body is answered, then the connection is closed
    RawClient client(transport->port());
    ASSERT_TRUE(client.Send("GET /v1/x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"));
    RawClient::All all = client.ReadAll(kClientWait);
    EXPECT_TRUE(StartsWith(all.data, "HTTP/1.1 200 OK\r\n")) << all.data;
    EXPECT_NE(all.data.find("\r\nConnection: close\r\n"), std::string::npos) << all.data;
    EXPECT_TRUE(all.eof);
  }
  {  // HTTP/1.0: one request per connection
    RawClient client(transport->port());
    ASSERT_TRUE(client.Send("GET /v1/x HTTP/1.0\r\n\r\n"));
    RawClient::All all = client.ReadAll(kClientWait);
    EXPECT_TRUE(StartsWith(all.data, "HTTP/1.1 200 OK\r\n")) << all.data;
    EXPECT_TRUE(all.eof);
  }
  const size_t handled = 5;
  for (const char* bad :
       {"Content-Length: abc\r\n", "Content-Length: 3\r\nContent-Length: 4\r\n"}) {
    RawClient client(transport->port());
    ASSERT_TRUE(client.Send(std::string("POST /v1/x HTTP/1.1\r\nHost: a\r\n") + bad + "\r\nabcd"));
    RawClient::All all = client.ReadAll(kClientWait);
    EXPECT_TRUE(StartsWith(all.data, "HTTP/1.1 400 Bad Request\r\n")) << all.data;
    EXPECT_TRUE(all.eof);
  }
  {
    RawClient client(transport->port());
    ASSERT_TRUE(client.Send("POST /v1/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n"));
    RawClient::All all = client.ReadAll(kClientWait);
    EXPECT_TRUE(StartsWith(all.data, "HTTP/1.1 501 Not Implemented\r\n")) << all.data;
  }
  auto requests = recorder.requests();
  ASSERT_EQ(requests.size(), handled);
  EXPECT_EQ(requests[0].method, "DELETE");
  EXPECT_EQ(requests[0].body, "abc");
  EXPECT_EQ(requests[1].target, "/after");
  EXPECT_EQ(requests[2].body, std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10));
  EXPECT_EQ(requests[2].Header("content-encoding"), "gzip");
}

TEST(HttpTransportTest, PipelinedRequestsAreAnsweredInOrder) {
  Recorder recorder;
  auto transport = MustStart({}, Recording(&recorder));
  ASSERT_NE(transport, nullptr);
  RawClient client(transport->port());
  ASSERT_TRUE(
      client.Send("GET /one HTTP/1.1\r\nHost: a\r\n\r\n"
                  "GET /two HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"));
  RawClient::All all = client.ReadAll(kClientWait);
  EXPECT_TRUE(all.eof);
  size_t first = all.data.find("HTTP/1.1 200 OK");
  ASSERT_NE(first, std::string::npos);
  EXPECT_NE(all.data.find("HTTP/1.1 200 OK", first + 1), std::string::npos) << all.data;
  ASSERT_EQ(recorder.size(), 2u);
  EXPECT_EQ(recorder.requests()[0].target, "/one");
  EXPECT_EQ(recorder.requests()[1].target, "/two");
}

TEST(HttpTransportTest, HandlerExceptionIsA500) {
  auto transport =
      MustStart({}, [](api::Request&&) -> api::Response { throw std::runtime_error("boom"); });
  ASSERT_NE(transport, nullptr);
  auto client = KeepAliveClient(transport->port());
  auto res = client->Get("/v1/x");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 500);
  auto again = client->Get("/v1/x");  // the connection survives
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 500);
}

TEST(HttpTransportTest, NoCompressionEvenWhenTheClientAcceptsIt) {
  Recorder recorder;
  const std::string body = R"({"data":")" + std::string(4096, 'a') + R"("})";
  auto transport = MustStart({}, Recording(&recorder, body));
  ASSERT_NE(transport, nullptr);
  auto client = KeepAliveClient(transport->port());
  client->set_decompress(false);  // a compressed answer would show as such
  auto res = client->Get("/v1/x", {{"Accept-Encoding", "gzip, deflate, br"}});
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  EXPECT_FALSE(res->has_header("Content-Encoding"));
  EXPECT_EQ(res->body, body);
  ASSERT_EQ(recorder.size(), 1u);
  EXPECT_EQ(recorder.requests()[0].Header("accept-encoding"), "gzip, deflate, br");
}

// ---------------------------------------------------------------------------
// Connections.

TEST(HttpTransportTest, TwentyKeepAliveRequestsShareOneConnection) {
  Recorder recorder;
  auto transport = MustStart({}, Recording(&recorder));
  ASSERT_NE(transport, nullptr);
  auto client = KeepAliveClient(transport->port());
  for (int i = 0; i < 20; ++i) {
    auto res = client->Get("/v1/x?i=" + std::to_string(i));
    ASSERT_TRUE(res) << "request " << i << ": " << httplib::to_string(res.error());
    EXPECT_EQ(res->status, 200);
  }
  EXPECT_EQ(recorder.size(), 20u);
  EXPECT_EQ(recorder.RemoteAddrs().size(), 1u);
}

TEST(HttpTransportTest, SixtyFourIdleKeepAliveClientsDoNotStarveAnother) {
  Recorder recorder;
  auto transport = MustStart({}, Recording(&recorder));
  ASSERT_NE(transport, nullptr);
  std::vector<std::unique_ptr<httplib::Client>> held;
  for (int i = 0; i < 64; ++i) {
    held.push_back(KeepAliveClient(transport->port()));
    auto res = held.back()->Get("/v1/held");
    ASSERT_TRUE(res) << "client " << i << ": " << httplib::to_string(res.error());
  }
  auto extra = KeepAliveClient(transport->port());
  auto res = extra->Get("/v1/extra");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(recorder.RemoteAddrs().size(), 65u);
  for (auto& client : held) {  // each still on its own connection
    auto again = client->Get("/v1/again");
    ASSERT_TRUE(again) << httplib::to_string(again.error());
  }
  EXPECT_EQ(recorder.RemoteAddrs().size(), 65u);
}

TEST(HttpTransportTest, ConnectionsBeyondMaxConnectionsAreClosedAtOnce) {
  Recorder recorder;
  HttpTransport::Options options;
  options.max_connections = 2;
  auto transport = MustStart(options, Recording(&recorder));
  ASSERT_NE(transport, nullptr);
  auto a = KeepAliveClient(transport->port());
  auto b = KeepAliveClient(transport->port());
  ASSERT_TRUE(a->Get("/a"));
  ASSERT_TRUE(b->Get("/b"));
  RawClient third(transport->port());
  ASSERT_TRUE(third.connected());
  third.Send("GET /c HTTP/1.1\r\nHost: x\r\n\r\n");
  RawClient::All all = third.ReadAll(kClientWait);
  EXPECT_FALSE(all.timed_out);
  EXPECT_TRUE(all.eof || all.err == ECONNRESET) << all.err;
  EXPECT_EQ(all.data, "");
  EXPECT_TRUE(a->Get("/a"));  // the two held connections still work
  EXPECT_TRUE(b->Get("/b"));
  EXPECT_EQ(recorder.size(), 4u);
}

TEST(HttpTransportTest, StopReturnsFastWithIdleKeepAliveClients) {
  Recorder recorder;
  auto transport = MustStart({}, Recording(&recorder));
  ASSERT_NE(transport, nullptr);
  const int port = transport->port();
  std::vector<std::unique_ptr<httplib::Client>> held;
  for (int i = 0; i < 10; ++i) {
    held.push_back(KeepAliveClient(port));
    ASSERT_TRUE(held.back()->Get("/v1/x"));
  }
  auto start = Clock::now();
  transport->Stop();
  EXPECT_LT(Clock::now() - start, seconds(1));
  transport->Stop();                                 // idempotent
  RawClient late(port, /*expect_connected=*/false);  // the listener is gone
  EXPECT_FALSE(late.connected());
}

TEST(HttpTransportTest, UnbindablePortIsUnavailable) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const int port = ntohs(addr.sin_port);

  HttpTransport::Options options;
  options.port = port;
  Recorder recorder;
  auto transport = HttpTransport::Start(options, Recording(&recorder));
  EXPECT_THAT(transport, StatusIs(StatusCode::kUnavailable,
                                  "cannot listen on 127.0.0.1:" + std::to_string(port) +
                                      ": Address already in use"));
  ::close(fd);
}

// What failed, in the system's words or the resolver's; no advice about
// flags (the command line adds its own).
TEST(HttpTransportTest, AnAddressThatIsNotLocalOrNoAddressSaysSo) {
  Recorder recorder;
  HttpTransport::Options options;
  options.host = "192.0.2.1";  // TEST-NET-1: never an address of this machine
  EXPECT_THAT(HttpTransport::Start(options, Recording(&recorder)),
              StatusIs(StatusCode::kUnavailable,
                       "cannot listen on 192.0.2.1:0: Cannot assign requested address"));
  options.host = "no.such.host.invalid";
  EXPECT_THAT(HttpTransport::Start(options, Recording(&recorder)),
              StatusIs(StatusCode::kUnavailable,
                       ::testing::StartsWith("cannot listen on no.such.host.invalid:0: "
                                             "\"no.such.host.invalid\" is not an IP address or "
                                             "a known host name (")));
}

TEST(HttpTransportTest, InvalidOptionsAreRejected) {
  Recorder recorder;
  HttpTransport::Options options;
  options.max_connections = 0;
  auto transport = HttpTransport::Start(options, Recording(&recorder));
  EXPECT_THAT(transport, StatusIs(StatusCode::kInvalidArgument));
}

TEST(HttpTransportTest, ManyTransportsStartAndStopConcurrently) {
  std::atomic<int> served{0};
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 8; ++i) {
        Recorder recorder;
        auto transport = HttpTransport::Start({}, Recording(&recorder));
        if (!transport.ok()) {
          ++failed;
          continue;
        }
        auto client = KeepAliveClient((*transport)->port());
        auto res = client->Get("/v1/x");
        if (res && res->status == 200) {
          ++served;
        } else {
          ++failed;
        }
        (*transport)->Stop();  // with the client's connection still open
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(served.load(), 64);
}

// ---------------------------------------------------------------------------
// Bounds.

TEST(HttpTransportTest, HugeDeclaredBodyIsRefusedWithoutReadingIt) {
  Recorder recorder;
  HttpTransport::Options options;
  options.read_timeout = seconds(10);  // the answer must not wait for it
  auto transport = MustStart(options, Recording(&recorder));
  ASSERT_NE(transport, nullptr);
  for (const char* expect : {"", "Expect: 100-continue\r\n"}) {
    RawClient client(transport->port());
    ASSERT_TRUE(client.Send(std::string("POST /v1/x HTTP/1.1\r\nHost: a\r\n") + expect +
                            "Content-Type: application/json\r\n"
                            "Content-Length: 1073741824\r\n\r\n"));
    RawClient::All all = client.ReadAll(milliseconds(3000));
    EXPECT_FALSE(all.timed_out);
    EXPECT_TRUE(StartsWith(all.data, "HTTP/1.1 413 Payload Too Large\r\n")) << all.data;
    EXPECT_NE(all.data.find("Connection: close"), std::string::npos);
    EXPECT_TRUE(all.eof);
  }
  EXPECT_EQ(recorder.size(), 0u);
}

TEST(HttpTransportTest, OversizedHeaderBlockIs431) {
  Recorder recorder;
  HttpTransport::Options options;
  options.max_header_bytes = 1024;
  auto transport = MustStart(options, Recording(&recorder));
  ASSERT_NE(transport, nullptr);
  RawClient client(transport->port());
  ASSERT_TRUE(client.Send("GET /v1/x HTTP/1.1\r\nHost: a\r\nX-Big: " + std::string(2000, 'b') +
                          "\r\n\r\n"));
  RawClient::All all = client.ReadAll(kClientWait);
  EXPECT_TRUE(StartsWith(all.data, "HTTP/1.1 431 ")) << all.data;
  EXPECT_TRUE(all.eof);
  EXPECT_EQ(recorder.size(), 0u);
}

// The header block spans several refills of the transport's 16 KiB read
// buffer; its bound is exact: max_header_bytes passes, one byte more is 431.
TEST(HttpTransportTest, HeaderBoundIsExactAcrossReadBufferRefills) {
  Recorder recorder;
  HttpTransport::Options options;
  options.max_header_bytes = 40000;
  auto transport = MustStart(options, Recording(&recorder));
  ASSERT_NE(transport, nullptr);
  // 39 lines "X-Pad: ppp…" (httplib refuses a header line over 8 KiB), then
  // one sized so that the block is `size` bytes.
  auto head = [](size_t size) {
    std::string out = "GET /v1/big?q=1 HTTP/1.1\r\nHost: a\r\n";
    for (int i = 0; i < 39; ++i) out += "X-Pad: " + std::string(990, 'p') + "\r\n";
    out += "X-Last: ";
    const std::string end = "\r\n\r\n";
    return out + std::string(size - out.size() - end.size(), 'z') + end;
  };
  {
    RawClient client(transport->port());
    // A second request pipelined behind the first: its bytes share a refill.
    ASSERT_TRUE(
        client.Send(head(options.max_header_bytes) + "GET /v1/next HTTP/1.1\r\nHost: a\r\n\r\n"));
    EXPECT_TRUE(StartsWith(client.ReadResponse(kClientWait), "HTTP/1.1 200 OK\r\n"));
    EXPECT_TRUE(StartsWith(client.ReadResponse(kClientWait), "HTTP/1.1 200 OK\r\n"));
    std::vector<api::Request> requests = recorder.requests();
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_EQ(requests[0].target, "/v1/big?q=1");
    ASSERT_EQ(requests[0].headers.size(), 41u);
    for (int i = 1; i <= 39; ++i) {
      EXPECT_EQ(requests[0].headers[i],
                (api::HeaderList::value_type{"x-pad", std::string(990, 'p')}));
    }
    EXPECT_EQ(requests[0].headers[40].first, "x-last");
    EXPECT_EQ(requests[0].headers[40].second.find_first_not_of('z'), std::string::npos);
    EXPECT_EQ(requests[1].target, "/v1/next");
  }
  {
    RawClient client(transport->port());
    ASSERT_TRUE(client.Send(head(options.max_header_bytes + 1)));
    RawClient::All all = client.ReadAll(kClientWait);
    EXPECT_TRUE(StartsWith(all.data, "HTTP/1.1 431 ")) << all.data.substr(0, 200);
    EXPECT_EQ(recorder.size(), 2u);
  }
}

TEST(HttpTransportTest, SlowlorisIsCutOffAtReadTimeoutWhileOthersAreServed) {
  Recorder recorder;
  HttpTransport::Options options;
  options.read_timeout = milliseconds(300);
  auto transport = MustStart(options, Recording(&recorder));
  ASSERT_NE(transport, nullptr);

  RawClient slow(transport->port());
  auto start = Clock::now();
  ASSERT_TRUE(slow.Send("GET /v1/slow HTTP/1.1\r\nHost: a\r\nX-Slow: "));

  auto client = KeepAliveClient(transport->port());
  auto res = client->Get("/v1/fast");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);

  // One more header byte each time the server has said nothing for 50 ms.
  std::string answer;
  bool cut_off = false;
  for (int i = 0; i < 200 && !cut_off; ++i) {
    RawClient::Read r = slow.ReadSome(answer, milliseconds(50));
    if (r.n != RawClient::kTimedOut || !slow.Send("a")) cut_off = true;
  }
  auto elapsed = Clock::now() - start;
  ASSERT_TRUE(cut_off);
  RawClient::All rest = slow.ReadAll(kClientWait);
  answer += rest.data;
  EXPECT_TRUE(StartsWith(answer, "HTTP/1.1 408 Request Timeout\r\n")) << answer;
  EXPECT_TRUE(rest.eof || rest.err == ECONNRESET);
  EXPECT_LT(elapsed, seconds(5));  // the deadline is 300 ms; 5 s is a correctness bound
  ASSERT_EQ(recorder.size(), 1u);
  EXPECT_EQ(recorder.requests()[0].target, "/v1/fast");
}

TEST(HttpTransportTest, SilentConnectionIsClosedAtReadTimeout) {
  Recorder recorder;
  HttpTransport::Options options;
  options.read_timeout = milliseconds(300);
  auto transport = MustStart(options, Recording(&recorder));
  ASSERT_NE(transport, nullptr);
  RawClient silent(transport->port());
  RawClient::All all = silent.ReadAll(kClientWait);
  EXPECT_FALSE(all.timed_out);
  EXPECT_TRUE(all.eof);
  EXPECT_EQ(all.data, "");
}

// ---------------------------------------------------------------------------
// Wire faults, seen from a raw socket.

// Answers with a fixed response; the X-Fault request header picks a fault.
HttpTransport::Handler FaultHandler() {
  return [](api::Request&& request) {
    api::Response response;
    response.headers = {{"X-Trace", "abc"}};
    response.body = R"({"name":"operations/123","done":false})";
    auto kind = request.Header("x-fault");
    if (!kind) return response;
    api::WireFault fault;
    if (*kind == "reset") {
      fault.kind = api::WireFault::Kind::kReset;
    } else if (*kind == "close") {
      fault.kind = api::WireFault::Kind::kCloseBeforeResponse;
    } else if (*kind == "partial") {
      fault.kind = api::WireFault::Kind::kPartialThenClose;
      fault.bytes = 17;
    } else if (*kind == "stall") {
      fault.kind = api::WireFault::Kind::kStall;
      fault.duration = seconds(30);
    } else if (*kind == "dribble") {
      fault.kind = api::WireFault::Kind::kDribble;
      fault.bytes = 8;
      fault.duration = milliseconds(5);
    } else if (*kind == "slow-dribble") {
      fault.kind = api::WireFault::Kind::kDribble;
      fault.bytes = 8;
      fault.duration = seconds(30);
    }
    response.fault = fault;
    return response;
  };
}

std::string FaultRequest(std::string_view fault, bool close = true) {
  std::string request = "GET /v1/operations/123 HTTP/1.1\r\nHost: a\r\n";
  if (close) request += "Connection: close\r\n";
  if (!fault.empty()) request.append("X-Fault: ").append(fault).append("\r\n");
  return request + "\r\n";
}

// The bytes of the unfaulted answer to FaultRequest(...).
std::string Baseline(int port, bool close = true) {
  RawClient client(port);
  client.Send(FaultRequest("", close));
  return close ? client.ReadAll(kClientWait).data : client.ReadResponse(kClientWait);
}

class WireFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    transport_ = MustStart({}, FaultHandler());
    ASSERT_NE(transport_, nullptr);
    baseline_ = Baseline(transport_->port());
    ASSERT_TRUE(StartsWith(baseline_, "HTTP/1.1 200 OK\r\n")) << baseline_;
  }
  std::unique_ptr<HttpTransport> transport_;
  std::string baseline_;
};

TEST_F(WireFaultTest, ResetIsSeenAsEconnreset) {
  RawClient client(transport_->port());
  ASSERT_TRUE(client.Send(FaultRequest("reset")));
  std::string got;
  RawClient::Read r = client.ReadSome(got, kClientWait);
  EXPECT_EQ(r.n, -1);
  EXPECT_EQ(r.err, ECONNRESET) << std::strerror(r.err);
  EXPECT_EQ(got, "");
}

TEST_F(WireFaultTest, CloseBeforeResponseIsEofBeforeAnyByte) {
  RawClient client(transport_->port());
  ASSERT_TRUE(client.Send(FaultRequest("close")));
  RawClient::All all = client.ReadAll(kClientWait);
  EXPECT_TRUE(all.eof);
  EXPECT_EQ(all.data, "");
}

TEST_F(WireFaultTest, PartialSendsExactlyThePrefixThenEof) {
  RawClient client(transport_->port());
  ASSERT_TRUE(client.Send(FaultRequest("partial")));
  RawClient::All all = client.ReadAll(kClientWait);
  EXPECT_TRUE(all.eof);
  EXPECT_EQ(all.data, baseline_.substr(0, 17));
}

TEST_F(WireFaultTest, StallSendsNothingAndStopStillReturnsFast) {
  RawClient client(transport_->port());
  ASSERT_TRUE(client.Send(FaultRequest("stall")));
  std::string got;
  EXPECT_EQ(client.ReadSome(got, milliseconds(200)).n, RawClient::kTimedOut);
  auto start = Clock::now();
  transport_->Stop();
  EXPECT_LT(Clock::now() - start, seconds(1));
  RawClient::All all = client.ReadAll(kClientWait);
  EXPECT_TRUE(all.eof);
  EXPECT_EQ(got + all.data, "");
}

TEST_F(WireFaultTest, DribbleDeliversTheWholeResponseInSeveralReads) {
  RawClient client(transport_->port());
  ASSERT_TRUE(client.Send(FaultRequest("dribble")));
  RawClient::All all = client.ReadAll(kClientWait);
  EXPECT_TRUE(all.eof);
  EXPECT_EQ(all.data, baseline_);
  EXPECT_GE(all.reads, 2);
}

TEST_F(WireFaultTest, DribbleLeavesAKeepAliveConnectionUsable) {
  const std::string keep_alive_baseline = Baseline(transport_->port(), /*close=*/false);
  RawClient client(transport_->port());
  ASSERT_TRUE(client.Send(FaultRequest("dribble", /*close=*/false)));
  EXPECT_EQ(client.ReadResponse(kClientWait), keep_alive_baseline);
  ASSERT_TRUE(client.Send(FaultRequest("", /*close=*/false)));
  EXPECT_EQ(client.ReadResponse(kClientWait), keep_alive_baseline);
}

TEST_F(WireFaultTest, StopInterruptsADribble) {
  RawClient client(transport_->port());
  ASSERT_TRUE(client.Send(FaultRequest("slow-dribble")));
  std::string got;
  ASSERT_GT(client.ReadSome(got, kClientWait).n, 0);
  auto start = Clock::now();
  transport_->Stop();
  EXPECT_LT(Clock::now() - start, seconds(1));
  RawClient::All all = client.ReadAll(kClientWait);
  EXPECT_TRUE(all.eof);
  EXPECT_LT(got.size() + all.data.size(), baseline_.size());
  EXPECT_TRUE(StartsWith(baseline_, got + all.data));
}

}  // namespace
}  // namespace nasfake::server
