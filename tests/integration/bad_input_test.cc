// The bad-input catalogue: hostile, malformed and oversized requests over real
// loopback sockets (raw POSIX sockets where an HTTP client cannot say it).
// Each is answered the way a Google front end would (a JSON error body, the
// HTML 404 page, or the transport's own 4xx), none crashes or hangs the
// server, and none changes state: every test ends by comparing every seeded
// job, list and trial detail, as JSON, with a snapshot taken before it ran.
// Real time is used only for bounded waits, and for the transport's read
// timeout where that timeout is the subject (slowloris).
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/test_support.h"

namespace nasfake {
namespace {

using ::nasfake::testing::EqualsJson;
using ::nasfake::testing::IsApiError;
using ::nasfake::testing::IsOk;
using ::nasfake::testing::ReadSourceFile;
using ::nasfake::testing::Reply;
using ::nasfake::testing::TestClient;
using nlohmann::json;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr char kLoc[] = "/v1/projects/123456789012/locations/us-central1";
constexpr char kJobs[] = "/v1/projects/123456789012/locations/us-central1/nasJobs";
constexpr char kRunning[] =
    "/v1/projects/123456789012/locations/us-central1/nasJobs/2111217356469436416";
constexpr char kRunningName[] =
    "projects/123456789012/locations/us-central1/nasJobs/2111217356469436416";
// Bound for answers that should come at once (generous: the machine may be loaded).
constexpr milliseconds kWait{10000};

std::string Repeat(std::string_view s, size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

// Whether `s` is valid UTF-8 (what every answer body must be).
bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += len;
  }
  return true;
}

// A blocking TCP client socket with bounded reads.
class RawClient {
 public:
  explicit RawClient(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    EXPECT_TRUE(connected_) << std::strerror(errno);
  }
  ~RawClient() { Close(); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  // Sends all of `data`; false once the peer has closed or reset.
  bool Send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  void ShutdownWrite() { ::shutdown(fd_, SHUT_WR); }
  // Closes with RST instead of FIN.
  void Reset() {
    linger reset{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    Close();
  }

  // At most one recv(), waiting at most `timeout`: bytes read, 0 at EOF, -1 on
  // error, -2 on timeout.
  ssize_t ReadSome(std::string& out, milliseconds timeout) {
    pollfd pfd{fd_, POLLIN, 0};
    int ready;
    do {
      ready = ::poll(&pfd, 1, static_cast<int>(timeout.count()));
    } while (ready < 0 && errno == EINTR);
    if (ready == 0) return -2;
    char buf[16384];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n > 0) out.append(buf, static_cast<size_t>(n));
    return n;
  }

  struct All {
    std::string data;
    bool closed = false;  // EOF or reset: the server ended the connection
    bool timed_out = false;
  };
  // Everything until the server closes, giving up `timeout` after the start.
  All ReadAll(milliseconds timeout = kWait) {
    All all;
    auto deadline = Clock::now() + timeout;
    for (;;) {
      auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
      ssize_t n = ReadSome(all.data, std::max(left, milliseconds(0)));
      if (n > 0) continue;
      all.closed = n == 0 || n == -1;
      all.timed_out = n == -2;
      return all;
    }
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

// An answer read off a raw socket.
struct RawReply {
  int status = 0;  // 0: no status line
  std::string head;
  std::string body;
  bool closed = false;
  bool timed_out = false;
  json Json() const { return json::parse(body, nullptr, false); }
};

RawReply Parse(const RawClient::All& all) {
  RawReply reply;
  reply.closed = all.closed;
  reply.timed_out = all.timed_out;
  size_t end = all.data.find("\r\n\r\n");
  reply.head = all.data.substr(0, end);
  if (end != std::string::npos) reply.body = all.data.substr(end + 4);
  if (all.data.rfind("HTTP/1.1 ", 0) == 0 && all.data.size() >= 12) {
    reply.status = std::atoi(all.data.substr(9, 3).c_str());
  }
  return reply;
}

// A Reply that GoogleTest prints as its status and body.
struct Answer : Reply {
  Answer(Reply reply) : Reply(std::move(reply)) {}  // NOLINT: implicit on purpose
};
void PrintTo(const Answer& a, std::ostream* os) {
  *os << "HTTP " << a.status << (a.error.empty() ? "" : " (" + a.error + ")") << " "
      << a.body.substr(0, 2000);
}

// Sends `bytes` (a whole request that asks to close the connection) and reads
// until the server closes.
RawReply Exchange(int port, std::string_view bytes) {
  RawClient client(port);
  client.Send(bytes);  // the server may answer and close before it has everything
  return Parse(client.ReadAll());
}

// One request on a fresh connection that asks to be closed, written with one
// send() (head and body together: no Nagle wait between them), read to EOF.
Answer OneShot(int port, const std::string& method, const std::string& target,
               const std::string& body, const std::string& content_type = "application/json") {
  std::string request = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  if (!content_type.empty()) request += "Content-Type: " + content_type + "\r\n";
  request += "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n";
  request += body;
  RawClient client(port);
  client.Send(request);
  RawReply raw = Parse(client.ReadAll());
  Reply reply;
  reply.status = raw.status;
  if (raw.status == 0) reply.error = raw.timed_out ? "no answer in time" : "no answer";
  reply.body = raw.body;
  std::string_view head = raw.head;
  for (size_t eol = head.find("\r\n"); eol != std::string_view::npos; eol = head.find("\r\n")) {
    head.remove_prefix(eol + 2);
    std::string_view line = head.substr(0, head.find("\r\n"));
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string name(line.substr(0, colon));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    reply.headers.emplace(std::move(name), std::string(value));
  }
  return reply;
}

std::string HtmlEscaped(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// Google's HTML 404 page naming `path` (HTML-escaped on the page).
MATCHER_P(IsHtml404, path, "") {
  bool ok = arg.status == 404 && arg.Header("content-type") == "text/html; charset=UTF-8" &&
            arg.body.find("<title>Error 404 (Not Found)!!1</title>") != std::string::npos &&
            arg.body.find("The requested URL <code>" + HtmlEscaped(path) +
                          "</code> was not found") != std::string::npos;
  if (!ok) *result_listener << "status " << arg.status << ", body " << arg.body.substr(0, 600);
  return ok;
}

// Everything the seeded state looks like from outside.
json Observe(TestClient& client) {
  json state;
  state["list"] = client.Get(std::string(kJobs) + "?pageSize=1000").json();
  for (const auto& job : state["list"].value("nasJobs", json::array())) {
    std::string name = job["name"];
    Reply reply = client.Get("/v1/" + name);
    state["get"][name] = {{"status", reply.status}, {"body", reply.json()}};
  }
  state["trials"] = client.Get(std::string(kRunning) + "/nasTrialDetails").json();
  state["operations"] = client.Get(std::string(kLoc) + "/operations").json();
  state["other_location"] =
      client.Get("/v1/projects/123456789012/locations/europe-west4/nasJobs").json();
  return state;
}

class BadInputTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(FakeServerOptions{}); }

  void Start(FakeServerOptions options) {
    server_ = testing::StartFakeServer(std::move(options));
    ASSERT_NE(server_, nullptr);
    ASSERT_THAT(server_->SeedFromPath(std::string(NASFAKE_SOURCE_DIR) + "/fixtures/seed"), IsOk());
    client_ = std::make_unique<TestClient>(*server_);
    before_ = Observe(*client_);
    ASSERT_EQ(before_["list"]["nasJobs"].size(), 8u) << before_.dump();
    ASSERT_EQ(before_["trials"]["nasTrialDetails"].size(), 2u) << before_.dump();
  }

  // No seeded job changed, no job or operation appeared: every answer, whole.
  void TearDown() override {
    if (server_ == nullptr || HasFatalFailure()) return;
    TestClient fresh(*server_);  // a new connection: the server still accepts
    EXPECT_THAT(Observe(fresh), EqualsJson(before_));
    EXPECT_EQ(server_->jobs().size(), 8u);
  }

  int port() const { return server_->port(); }

  Answer Get(const std::string& target) { return client_->Get(target); }
  // Requests with a body go out in one write (see OneShot).
  Answer Post(const std::string& target, const std::string& body) {
    return OneShot(port(), "POST", target, body);
  }
  Answer Delete(const std::string& target) { return client_->Delete(target); }
  Answer Create(const std::string& body) { return Post(kJobs, body); }
  Answer Cancel(const std::string& body) { return Post(std::string(kRunning) + ":cancel", body); }

  std::unique_ptr<FakeServer> server_;
  std::unique_ptr<TestClient> client_;
  json before_;
};

// ---------------------------------------------------------------------------
// Bodies.

TEST_F(BadInputTest, MalformedJsonOnCreateIsInvalidArgumentWithTheOffendingSnippet) {
  struct Case {
    std::string body;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"{", "Unexpected end of string. Expected an object key or }.\n{\n ^"},
      {"{\"displayName\": \"x\"\n  \"labels\": {}}",
       "Expected , or } after key:value pair.\n  \"labels\": {}}\n  ^"},
      {"{\"displayName\" \"x\"}",
       "Expected : between key:value pair.\n{\"displayName\" \"x\"}\n"
       "               ^"},
      {"[1,2", "Unexpected end of string. Expected , or ] after array value.\n[1,2\n    ^"},
      {"nul", "Unexpected token.\nnul\n^"},
      {"{'displayName': 'x'}", "Expected an object key or }.\n{'displayName': 'x'}\n ^"},
      {"{\"displayName\": \"x\"}}",
       "Parsing terminated before end of input.\n{\"displayName\": \"x\"}}\n"
       "                    ^"},
      {"{\"displayName\": 01}",
       "Octal/hex numbers are not valid JSON values.\n{\"displayName\": 01}\n"
       "                ^"},
      {"{\"displayName\": \"\\q\"}",
       "Invalid escape sequence.\n{\"displayName\": \"\\q\"}\n"
       "                 ^"},
  };
  for (const auto& c : cases) {
    Answer reply = Create(c.body);
    EXPECT_THAT(reply.json(),
                EqualsJson(json{{"error",
                                 {{"code", 400},
                                  {"message", "Invalid JSON payload received. " + c.message},
                                  {"status", "INVALID_ARGUMENT"}}}}))
        << c.body;
    EXPECT_EQ(reply.status, 400) << c.body;
  }
}

TEST_F(BadInputTest, EveryTruncationOfACreateBodyIsInvalidArgument) {
  const std::string body = ReadSourceFile("fixtures/reference/nasjob-create-request.json");
  const size_t last = body.find_last_of('}');
  ASSERT_NE(last, std::string::npos);
  int answered = 0;
  for (size_t cut = 1; cut < last; ++cut) {
    std::string prefix = body.substr(0, cut);
    if (prefix.find_first_not_of(" \t\r\n") == std::string::npos) continue;
    Answer reply = Create(prefix);
    ASSERT_THAT(reply,
                IsApiError(400, "INVALID_ARGUMENT",
                           ::testing::AnyOf(
                               StartsWith("Invalid JSON payload received. Unexpected end of "
                                          "string. Expected "),
                               StartsWith("Invalid JSON payload received. Closing quote expected "
                                          "in string.\n"))))
        << "cut at " << cut;
    ASSERT_FALSE(reply.json()["error"].contains("details")) << cut;  // as Google's
    ++answered;
  }
  EXPECT_GT(answered, 1000);
}

TEST_F(BadInputTest, MalformedTruncatedAndNonEmptyCancelBodiesLeaveTheJobAlone) {
  for (const std::string& body :
       {std::string("{"), std::string("{\"force\""), std::string("{\"force\": tr"),
        std::string("}"), std::string("{}}"), std::string("\"{}\"")}) {
    EXPECT_THAT(Cancel(body),
                IsApiError(400, "INVALID_ARGUMENT", StartsWith("Invalid JSON payload received. ")))
        << body;
  }
  EXPECT_THAT(Cancel("[]"), IsApiError(400, "INVALID_ARGUMENT",
                                       "Invalid JSON payload received. Unknown name \"\": Root "
                                       "element must be a message."));
  EXPECT_THAT(Cancel("{\"force\": true}"),
              IsApiError(400, "INVALID_ARGUMENT",
                         "Invalid JSON payload received. Unknown name \"force\": Cannot find "
                         "field."));
  // The job is still RUNNING: TearDown compares it whole.
}

TEST_F(BadInputTest, TenMebibyteBodiesAreAnsweredAndTheAnswerIsBounded) {
  const std::string big(10 * 1024 * 1024, 'a');
  auto start = Clock::now();
  Answer create = Create("{\"displayName\": \"" + big + "\", \"bogus\": 1}");
  EXPECT_THAT(create, IsApiError(400, "INVALID_ARGUMENT",
                                 "Invalid JSON payload received. Unknown name \"bogus\" at "
                                 "'nas_job': Cannot find field."));
  Answer cancel = Cancel("{\"x\": \"" + big + "\"}");
  EXPECT_THAT(cancel, IsApiError(400, "INVALID_ARGUMENT",
                                 "Invalid JSON payload received. Unknown name \"x\": Cannot find "
                                 "field."));
  // Malformed at the very end: the snippet is bounded, not the whole body.
  Answer malformed = Create("{\"displayName\": \"" + big + "\"");
  EXPECT_THAT(malformed,
              IsApiError(400, "INVALID_ARGUMENT",
                         StartsWith("Invalid JSON payload received. Unexpected end of string.")));
  EXPECT_LT(malformed.body.size(), 1024u);
  EXPECT_LT(create.body.size(), 2048u);
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(30));
  // The journal keeps a bounded prefix of each.
  for (const auto& entry : server_->journal().Entries()) {
    EXPECT_LE(entry.body.size(), journal::kMaxBodyBytes + 64);
  }
}

TEST_F(BadInputTest, DeclaredGibibyteBodyIs413WithoutReadingIt) {
  size_t journaled = server_->journal().size();
  for (const std::string& target : {std::string(kJobs), std::string(kRunning) + ":cancel"}) {
    RawClient client(port());
    auto start = Clock::now();
    ASSERT_TRUE(client.Send("POST " + target +
                            " HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
                            "Content-Length: 1073741824\r\n\r\n{\"displayName\": \""));
    RawReply reply = Parse(client.ReadAll());
    EXPECT_EQ(reply.status, 413) << reply.head;
    EXPECT_THAT(reply.head, HasSubstr("Connection: close"));
    EXPECT_EQ(reply.body, "413 Payload Too Large: the request body exceeds 16777216 bytes\n");
    EXPECT_TRUE(reply.closed);
    EXPECT_LT(Clock::now() - start, kWait);
  }
  EXPECT_EQ(server_->journal().size(), journaled);  // never reached the API
}

TEST_F(BadInputTest, JsonNested100000DeepIsRefusedAtDepth100) {
  const size_t depth = 100000;
  std::string arrays = std::string(depth, '[') + std::string(depth, ']');
  std::string objects = Repeat("{\"a\":", depth) + "1" + std::string(depth, '}');
  std::string unclosed = std::string(depth, '[');
  for (const std::string* body : {&arrays, &objects, &unclosed}) {
    EXPECT_THAT(Create(*body), IsApiError(400, "INVALID_ARGUMENT",
                                          StartsWith("Invalid JSON payload received. Message too "
                                                     "deep. Max recursion depth reached for key")));
    EXPECT_THAT(Cancel(*body), IsApiError(400, "INVALID_ARGUMENT",
                                          StartsWith("Invalid JSON payload received. Message too "
                                                     "deep.")));
  }
  EXPECT_THAT(Create(objects), IsApiError(400, "INVALID_ARGUMENT",
                                          HasSubstr("Max recursion depth reached for key "
                                                    "'a'")));
  // Deep but inside the schema-free CustomJobSpec: still bounded.
  std::string spec =
      "{\"displayName\":\"d\",\"nasJobSpec\":{\"multiTrialAlgorithmSpec\":{"
      "\"searchTrialSpec\":{\"searchTrialJobSpec\":" +
      Repeat("{\"x\":", depth) + "1" + std::string(depth, '}') + "}}}}";
  EXPECT_THAT(Create(spec), IsApiError(400, "INVALID_ARGUMENT", HasSubstr("Message too deep")));
}

TEST_F(BadInputTest, InvalidUtf8InABodyIsInvalidArgumentAndTheAnswerIsValidUtf8) {
  for (std::string bad : {std::string("\xff\xfe"), std::string("\xc3"), std::string("\xed\xa0\x80"),
                          std::string("\xf4\x90\x80\x80"), std::string("\xc0\xaf")}) {
    Answer create = Create("{\"displayName\": \"" + bad + "\"}");
    EXPECT_THAT(create, IsApiError(400, "INVALID_ARGUMENT",
                                   StartsWith("Invalid JSON payload received. Encountered non "
                                              "UTF-8 code points.")));
    EXPECT_TRUE(IsValidUtf8(create.body)) << create.body;
    Answer cancel = Cancel("{\"" + bad + "\": 1}");
    EXPECT_THAT(cancel, IsApiError(400, "INVALID_ARGUMENT",
                                   StartsWith("Invalid JSON payload received. Encountered non "
                                              "UTF-8 code points.")));
    EXPECT_TRUE(IsValidUtf8(cancel.body)) << cancel.body;
  }
  // Outside a string, a byte >= 0x80 is no token at all.
  EXPECT_THAT(Create("{\"displayName\": \xff}"),
              IsApiError(400, "INVALID_ARGUMENT",
                         StartsWith("Invalid JSON payload received. Expected a value.")));
}

TEST_F(BadInputTest, InvalidUtf8InAUrlIsAnsweredWithValidUtf8) {
  // Percent-encoded, in a path variable: an invalid resource name.
  Answer encoded = Get("/v1/projects/%FF%FE/locations/us-central1/nasJobs/1");
  EXPECT_THAT(encoded, IsApiError(400, "INVALID_ARGUMENT",
                                  "Invalid NasJob resource name: "
                                  "\"projects/\xEF\xBF\xBD\xEF\xBF\xBD/locations/us-central1/"
                                  "nasJobs/1\"."));
  EXPECT_TRUE(IsValidUtf8(encoded.body));
  Answer in_id = Get(std::string(kJobs) + "/%C3");
  EXPECT_EQ(in_id.status, 400) << in_id.body;
  EXPECT_TRUE(IsValidUtf8(in_id.body));
  // In a query value: the fake is lenient (Google's behaviour is not on
  // record); a filter value that no display name can equal matches nothing.
  Answer filter = Get(std::string(kJobs) + "?filter=display_name%3D%22%FF%22");
  EXPECT_EQ(filter.status, 200);
  EXPECT_EQ(filter.body, "{}");
  // Raw bytes in the target, on a path that matches no rule: the HTML 404,
  // still valid UTF-8 (the bytes shown percent-encoded).
  RawReply raw =
      Exchange(port(), "GET /v1/\xff\xfe HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(raw.status, 404) << raw.head;
  EXPECT_TRUE(IsValidUtf8(raw.body)) << raw.body;
  EXPECT_THAT(raw.body, HasSubstr("<title>Error 404 (Not Found)!!1</title>"));
  EXPECT_THAT(raw.body, HasSubstr("The requested URL <code>/v1/%FF%FE</code> was not found"));
  // Markup in the target is shown, not interpreted.
  RawReply markup = Exchange(
      port(), "GET /v1/<script>alert(\"x\")</script>&amp HTTP/1.1\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(markup.status, 404) << markup.head;
  EXPECT_THAT(
      markup.body,
      HasSubstr("<code>/v1/&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;amp</code>"));
  EXPECT_THAT(markup.body, Not(HasSubstr("<script>")));
}

TEST_F(BadInputTest, NulBytesInBodiesAreInvalidArgument) {
  using namespace std::string_literals;
  EXPECT_THAT(Create("\0"s), IsApiError(400, "INVALID_ARGUMENT",
                                        "Invalid JSON payload received. Expected a value."));
  EXPECT_THAT(Create("{\"displayName\": \"x\"\0}"s),
              IsApiError(400, "INVALID_ARGUMENT",
                         StartsWith("Invalid JSON payload received. Expected , or } after "
                                    "key:value pair.")));
  EXPECT_THAT(Cancel("{}\0"s), IsApiError(400, "INVALID_ARGUMENT",
                                          StartsWith("Invalid JSON payload received. Parsing "
                                                     "terminated before end of input.")));
  // Inside a string a raw NUL is invalid JSON (RFC 8259 §7): RawControlCharacters… below.
  EXPECT_THAT(Create("{\"displayName\": \"a\0b\"}"s),
              IsApiError(400, "INVALID_ARGUMENT",
                         StartsWith("Invalid JSON payload received. Invalid control character")));
}

// A create body that is valid but for one string, so a 200 would mean the
// strictness check was skipped (and TearDown would see the new job).
std::string CreateBodyWithDisplayName(std::string_view raw_display_name) {
  return "{\"displayName\": \"" + std::string(raw_display_name) +
         "\", \"nasJobSpec\": {\"multiTrialAlgorithmSpec\": {\"searchTrialSpec\": {"
         "\"searchTrialJobSpec\": {\"workerPoolSpecs\": [{\"machineSpec\": "
         "{\"machineType\": \"n1-standard-4\"}}]}, \"maxTrialCount\": 2, "
         "\"maxParallelTrialCount\": 1}}}}";
}

TEST_F(BadInputTest, RawControlCharactersInAStringAreInvalidJson) {
  using namespace std::string_literals;
  // RFC 8259 §7: NUL, TAB, LF (any of U+0000..U+001F) must be escaped in a string.
  for (const std::string& c : {"\0"s, "\t"s, "\n"s, "\x1F"s}) {
    Answer reply = Create(CreateBodyWithDisplayName("a" + c + "b"));
    EXPECT_THAT(reply, IsApiError(400, "INVALID_ARGUMENT",
                                  StartsWith("Invalid JSON payload received. Invalid control "
                                             "character in string.\n{\"displayName\": \"a")))
        << static_cast<int>(c[0]);
    EXPECT_FALSE(reply.json()["error"].contains("details")) << reply.body;
  }
  // The exact body for a TAB: the snippet shows it as a space, the caret under it.
  EXPECT_EQ(Create(CreateBodyWithDisplayName("a\tb")).json()["error"]["message"],
            "Invalid JSON payload received. Invalid control character in string.\n"
            "{\"displayName\": \"a b\", \"nasJobSpec\": {\"multiTrialAlgorithm\n"
            "                  ^");
  // In a cancel body too; escaped, the same characters are fine (still no job: no fields).
  EXPECT_THAT(Cancel("{\"a\": \"\t\"}"),
              IsApiError(400, "INVALID_ARGUMENT", HasSubstr("Invalid control character")));
  EXPECT_THAT(Create(R"({"displayName": "a\u0000\t\n"})"),
              IsApiError(400, "INVALID_ARGUMENT", StartsWith("List of found errors:")));
}

TEST_F(BadInputTest, JsonThatIsNotRfc8259IsInvalidArgument) {
  struct Case {
    std::string body;
    std::string reason;
  };
  const std::string valid = CreateBodyWithDisplayName("x");
  const std::vector<Case> cases = {
      {valid.substr(0, valid.size() - 1) + ",}", "Expected an object key."},
      {R"({"labels": {"a": "b",}})", "Expected an object key."},
      {R"({"nasJobSpec": {"multiTrialAlgorithmSpec": {"searchTrialSpec": {"searchTrialJobSpec": )"
       R"({"workerPoolSpecs": [{},]}}}}})",
       "Expected a value."},
      {CreateBodyWithDisplayName("\\ud800"), "Missing low surrogate."},
      {CreateBodyWithDisplayName("\\udc00"), "Invalid unicode code point."},
      {CreateBodyWithDisplayName("\\x41"), "Invalid escape sequence."},
      {R"({"nasJobSpec": {"multiTrialAlgorithmSpec": {"searchTrialSpec": {"maxTrialCount": 02}}}})",
       "Octal/hex numbers are not valid JSON values."},
      {R"({"nasJobSpec": {"multiTrialAlgorithmSpec": {"searchTrialSpec": {"maxTrialCount": 2.}}}})",
       "Unable to parse number."},
      {"\xEF\xBB\xBF" + valid, "Expected a value."},
      {"{\f\"displayName\": \"x\"}", "Expected an object key or }."},
      {R"({"displayName": NaN})", "Unexpected token."},
  };
  for (const Case& c : cases) {
    Answer reply = Create(c.body);
    EXPECT_THAT(reply, IsApiError(400, "INVALID_ARGUMENT",
                                  StartsWith("Invalid JSON payload received. " + c.reason + "\n")))
        << c.body;
  }
  // A top-level scalar is JSON, but not a NasJob; an empty body is an empty NasJob.
  EXPECT_THAT(Create("1"), IsApiError(400, "INVALID_ARGUMENT",
                                      HasSubstr("Invalid value at 'nas_job' (TYPE_MESSAGE), 1")));
  EXPECT_THAT(Create(""), IsApiError(400, "INVALID_ARGUMENT", StartsWith("List of found errors:")));
}

TEST_F(BadInputTest, NulBytesInTheTargetAreRefused) {
  using namespace std::string_literals;
  // Percent-encoded: no HTTP rule can match it, so Google's HTML 404.
  Answer encoded = Get(std::string(kRunning) + "%00");
  EXPECT_THAT(encoded, IsHtml404(std::string(kRunning) + "%00"));
  Answer in_query = Get(std::string(kJobs) + "?filter=%00");
  EXPECT_EQ(in_query.status, 404) << in_query.body;
  // A raw NUL in the request line: the transport refuses it.
  RawReply raw = Exchange(port(), "GET "s + kRunning + "\0x HTTP/1.1\r\nHost: a\r\n\r\n"s);
  EXPECT_EQ(raw.status, 400) << raw.head;
  EXPECT_TRUE(raw.closed);
  RawReply header = Exchange(
      port(), "GET "s + kRunning + " HTTP/1.1\r\nConnection: close\r\nX-Nul: a\0b\r\n\r\n"s);
  EXPECT_TRUE(header.status == 200 || header.status == 400) << header.head;
}

// ---------------------------------------------------------------------------
// Headers.

TEST_F(BadInputTest, AHundredKibibyteHeaderIs431) {
  size_t journaled = server_->journal().size();
  RawReply reply = Exchange(
      port(), std::string("GET ") + kRunning +
                  " HTTP/1.1\r\nHost: a\r\nX-Big: " + std::string(100 * 1024, 'b') + "\r\n\r\n");
  EXPECT_EQ(reply.status, 431) << reply.head;
  EXPECT_EQ(reply.body,
            "431 Request Header Fields Too Large: the request line and headers "
            "exceed 65536 bytes\n");
  EXPECT_TRUE(reply.closed);
  EXPECT_EQ(server_->journal().size(), journaled);
}

TEST_F(BadInputTest, TenThousandHeaders) {
  size_t journaled = server_->journal().size();
  // Realistic ones exceed the header block bound: 431.
  std::string many;
  for (int i = 0; i < 10000; ++i) many += "X-Goog-Custom-" + std::to_string(i) + ": value\r\n";
  RawReply big =
      Exchange(port(), std::string("GET ") + kRunning + " HTTP/1.1\r\nHost: a\r\n" + many + "\r\n");
  EXPECT_EQ(big.status, 431) << big.head;
  EXPECT_TRUE(big.closed);
  EXPECT_EQ(server_->journal().size(), journaled);
  // Tiny ones fit in 64 KiB: the request is served like any other.
  std::string tiny;
  for (int i = 0; i < 10000; ++i) tiny += "X: " + std::to_string(i % 10) + "\r\n";
  RawReply served =
      Exchange(port(), std::string("GET ") + kRunning +
                           " HTTP/1.1\r\nHost: a\r\nConnection: close\r\n" + tiny + "\r\n");
  EXPECT_EQ(served.status, 200) << served.head;
  EXPECT_EQ(served.Json()["name"], kRunningName);
}

// ---------------------------------------------------------------------------
// Request targets.

TEST_F(BadInputTest, DotSegmentsAndEncodedSlashesNeverReachAnotherResource) {
  const std::string id = "2111217356469436416";
  // `..` is not resolved: the path matches no rule.
  std::string dots = std::string(kJobs) + "/../nasJobs/" + id;
  EXPECT_THAT(Get(dots), IsHtml404(dots));
  std::string up = std::string(kLoc) +
                   "/../../../v1/projects/123456789012/locations/"
                   "us-central1/nasJobs/" +
                   id;
  EXPECT_THAT(Get(up), IsHtml404(up));
  // `..` as the id: matches the rule, but it is no NasJob name.
  EXPECT_THAT(Get(std::string(kJobs) + "/.."),
              IsApiError(400, "INVALID_ARGUMENT",
                         "Invalid NasJob resource name: "
                         "\"projects/123456789012/locations/us-central1/nasJobs/..\"."));
  // %2F is not a segment separator.
  std::string slash = "/v1/projects%2F123456789012/locations/us-central1/nasJobs/" + id;
  EXPECT_THAT(Get(slash), IsHtml404(slash));
  EXPECT_THAT(Get(std::string(kJobs) + "/" + id + "%2F"),
              IsApiError(400, "INVALID_ARGUMENT",
                         "Invalid NasJob resource name: \"projects/123456789012/locations/"
                         "us-central1/nasJobs/2111217356469436416/\"."));
  EXPECT_THAT(Get("/v1/projects/123456789012%2Flocations%2Fus-central1/locations/"
                  "us-central1/nasJobs/" +
                  id),
              IsApiError(400, "INVALID_ARGUMENT", HasSubstr("Invalid NasJob resource name")));
  // Double encoding is decoded once.
  EXPECT_THAT(Get(std::string(kJobs) + "/" + id + "%252F"),
              IsApiError(400, "INVALID_ARGUMENT",
                         "Invalid NasJob resource name: \"projects/123456789012/locations/"
                         "us-central1/nasJobs/2111217356469436416%2F\"."));
  std::string double_slash = "/v1/projects%252F123456789012/locations/us-central1/nasJobs/" + id;
  EXPECT_THAT(Get(double_slash), IsHtml404(double_slash));
  // An encoded id that decodes to the real one is the real one.
  Answer encoded_digit = Get(std::string(kJobs) + "/%32111217356469436416");
  EXPECT_EQ(encoded_digit.status, 200) << encoded_digit.body;
  // Malformed escapes: the HTML 404.
  for (std::string bad : {"%", "%G0", "%0", "%zz"}) {
    std::string target = std::string(kJobs) + "/" + id + bad;
    EXPECT_THAT(Get(target), IsHtml404(target)) << bad;
  }
  // An encoded ':' is data too: no custom verb, so no cancel.
  std::string encoded_verb = std::string(kJobs) + "/" + id + "%3Acancel";
  EXPECT_THAT(Post(encoded_verb, ""), IsHtml404(encoded_verb));
  EXPECT_THAT(Get(encoded_verb), IsApiError(400, "INVALID_ARGUMENT",
                                            "Invalid NasJob resource name: \"projects/123456789012/"
                                            "locations/us-central1/nasJobs/" +
                                                id + ":cancel\"."));
  std::string dotted_cancel = std::string(kJobs) + "/../nasJobs/" + id + ":cancel";
  EXPECT_THAT(Post(dotted_cancel, ""), IsHtml404(dotted_cancel));
  // None of these cancelled the seeded job (TearDown compares it whole).
}

TEST_F(BadInputTest, OverLongTargetsAndSegments) {
  // A long id within httplib's request-line bound: an invalid name.
  std::string long_id(4000, '1');
  Answer four_k = Get(std::string(kJobs) + "/" + long_id);
  EXPECT_THAT(four_k, IsApiError(400, "INVALID_ARGUMENT",
                                 "Invalid NasJob resource name: \"projects/123456789012/locations/"
                                 "us-central1/nasJobs/" +
                                     long_id + "\"."));
  // Longer: the transport's own answers, the connection closed.
  for (size_t size : {size_t{16 * 1024}, size_t{64 * 1024}, size_t{200 * 1024}}) {
    std::string target = std::string(kJobs) + "/" + std::string(size, '1');
    RawReply reply = Exchange(port(), "GET " + target + " HTTP/1.1\r\nHost: a\r\n\r\n");
    EXPECT_EQ(reply.status, 414) << size << ": " << reply.head;
    EXPECT_THAT(reply.head, StartsWith("HTTP/1.1 414 URI Too Long\r\n")) << size;
    EXPECT_TRUE(reply.closed) << size;
  }
  // A long segment that is no path variable.
  std::string seg = std::string(kLoc) + "/" + std::string(6000, 'x');
  EXPECT_THAT(Get(seg), IsHtml404(seg));
}

// Every method on every route: a method with an HTTP rule on the path reaches
// the API (JSON); any other gets the HTML 404 (HEAD is GET without a body);
// an unknown method is refused by the transport. Ids are absent ones and
// bodies malformed, so nothing changes.
TEST_F(BadInputTest, EveryMethodOnEveryRoute) {
  const std::string op = std::string(kLoc) + "/operations/1";
  struct Route {
    std::string target;
    std::map<std::string, int> rules;  // method -> the API's answer
  };
  const std::vector<Route> routes = {
      {kJobs, {{"POST", 400}, {"GET", 200}}},  // create (malformed body), list
      {std::string(kJobs) + "/1", {{"GET", 404}, {"DELETE", 404}}},
      {std::string(kJobs) + "/1:cancel", {{"POST", 400}}},  // malformed body first
      {std::string(kJobs) + "/1/nasTrialDetails", {{"GET", 404}}},
      {std::string(kJobs) + "/1/nasTrialDetails/1", {{"GET", 404}}},
      {std::string(kLoc) + "/operations", {{"GET", 200}}},
      {op, {{"GET", 404}, {"DELETE", 404}}},
      {"/ui" + op.substr(3), {{"GET", 404}}},
      {op + ":cancel", {{"POST", 400}}},
      {op + ":wait", {{"POST", 400}}},
  };
  const std::vector<std::string> methods = {"GET",    "POST",    "PUT", "PATCH",
                                            "DELETE", "OPTIONS", "HEAD"};
  for (const auto& route : routes) {
    for (const auto& method : methods) {
      SCOPED_TRACE(method + " " + route.target);
      Answer reply = OneShot(port(), method, route.target, "{");
      auto rule = route.rules.find(method == "HEAD" ? "GET" : method);
      if (method == "HEAD") {
        EXPECT_EQ(reply.status, rule == route.rules.end() ? 404 : rule->second);
        EXPECT_EQ(reply.body, "");
      } else if (rule != route.rules.end()) {
        EXPECT_EQ(reply.status, rule->second) << reply.body;
        EXPECT_EQ(reply.Header("content-type"), "application/json; charset=UTF-8");
        if (reply.status != 200) {
          EXPECT_THAT(reply, IsApiError(rule->second,
                                        rule->second == 404 ? "NOT_FOUND" : "INVALID_ARGUMENT",
                                        ::testing::_));
        }
      } else {
        EXPECT_THAT(reply, IsHtml404(route.target));
      }
    }
    // An unknown method: the transport's own 400, before any route.
    size_t journaled = server_->journal().size();
    RawReply foo = Exchange(port(), "FOO " + route.target + " HTTP/1.1\r\nHost: a\r\n\r\n");
    EXPECT_EQ(foo.status, 400) << route.target << ": " << foo.head;
    EXPECT_TRUE(foo.closed);
    EXPECT_EQ(server_->journal().size(), journaled);
  }
}

// ---------------------------------------------------------------------------
// Lists.

TEST_F(BadInputTest, NegativeZeroAndHugePageSizes) {
  const std::string trials = std::string(kRunning) + "/nasTrialDetails";
  const std::string ops = std::string(kLoc) + "/operations";
  for (const std::string& list : {std::string(kJobs), trials, ops}) {
    SCOPED_TRACE(list);
    EXPECT_THAT(Get(list + "?pageSize=-1"),
                IsApiError(400, "INVALID_ARGUMENT",
                           "Invalid page_size: -1. page_size must not be negative."));
    EXPECT_THAT(Get(list + "?pageSize=-2147483648"),
                IsApiError(400, "INVALID_ARGUMENT",
                           "Invalid page_size: -2147483648. page_size must not be negative."));
    EXPECT_THAT(Get(list + "?pageSize=2147483648"),
                IsApiError(400, "INVALID_ARGUMENT",
                           "Invalid value at 'page_size' (TYPE_INT32), \"2147483648\""));
    EXPECT_THAT(Get(list + "?pageSize=99999999999999999999999"),
                IsApiError(400, "INVALID_ARGUMENT", HasSubstr("(TYPE_INT32)")));
    for (std::string bad : {"abc", "1.5", "0x10", "", "+1", "1e3", "%201"}) {
      EXPECT_THAT(Get(list + "?pageSize=" + bad),
                  IsApiError(400, "INVALID_ARGUMENT", StartsWith("Invalid value at 'page_size'")))
          << bad;
    }
  }
  // Zero is the default and a huge size is coerced down: every job on one page.
  for (std::string size : {"0", "1000", "2147483647"}) {
    Answer reply = Get(std::string(kJobs) + "?pageSize=" + size);
    ASSERT_EQ(reply.status, 200) << size;
    EXPECT_EQ(reply.json()["nasJobs"].size(), 8u);
    EXPECT_FALSE(reply.json().contains("nextPageToken"));
  }
}

TEST_F(BadInputTest, ForgedTruncatedAndForeignPageTokens) {
  const std::string message =
      "Invalid page_token: it was not returned by a previous call with the same parent and "
      "filter.";
  json first = Get(std::string(kJobs) + "?pageSize=1").json();
  const std::string token = first.value("nextPageToken", "");
  ASSERT_EQ(token.size(), 22u) << first.dump();
  json trials = Get(std::string(kRunning) + "/nasTrialDetails?pageSize=1").json();
  const std::string trial_token = trials.value("nextPageToken", "");
  ASSERT_FALSE(trial_token.empty());
  json filtered = Get(std::string(kJobs) + "?pageSize=1&filter=state!%3DJOB_STATE_FAILED").json();
  const std::string filtered_token = filtered.value("nextPageToken", "");
  ASSERT_FALSE(filtered_token.empty());

  std::string flipped = token;
  flipped[3] = flipped[3] == 'A' ? 'B' : 'A';
  const std::vector<std::string> bad_for_unfiltered = {
      "forged",
      std::string(22, 'A'),
      std::string(22, '_'),
      token.substr(0, 21),
      token + "A",
      flipped,
      "%FF%FE" + token.substr(2),
      std::string(4000, 'A'),
      trial_token,     // another collection
      filtered_token,  // another filter
  };
  for (const auto& bad : bad_for_unfiltered) {
    EXPECT_THAT(Get(std::string(kJobs) + "?pageSize=1&pageToken=" + bad),
                IsApiError(400, "INVALID_ARGUMENT", message))
        << bad;
  }
  // A NUL anywhere in the target: no HTTP rule can match it.
  std::string nul = std::string(kJobs) + "?pageSize=1&pageToken=%00";
  EXPECT_THAT(Get(nul), IsHtml404(nul));
  // The same token under another parent or filter.
  EXPECT_THAT(Get("/v1/projects/123456789012/locations/europe-west4/nasJobs?pageToken=" + token),
              IsApiError(400, "INVALID_ARGUMENT", message));
  EXPECT_THAT(Get("/v1/projects/999999999999/locations/us-central1/nasJobs?pageToken=" + token),
              IsApiError(400, "INVALID_ARGUMENT", message));
  EXPECT_THAT(Get(std::string(kJobs) + "?filter=state%3DJOB_STATE_RUNNING&pageToken=" + token),
              IsApiError(400, "INVALID_ARGUMENT", message));
  EXPECT_THAT(
      Get(std::string(kJobs) + "/1000000000000000001/nasTrialDetails?pageToken=" + trial_token),
      IsApiError(400, "INVALID_ARGUMENT", message));
  EXPECT_THAT(Get(std::string(kLoc) + "/operations?pageToken=" + token),
              IsApiError(400, "INVALID_ARGUMENT", HasSubstr("page_token")));
  // A token from another fake (another seed, so another key).
  FakeServerOptions other_options;
  other_options.fake.seed = 77;
  auto other = testing::StartFakeServer(other_options);
  ASSERT_NE(other, nullptr);
  ASSERT_THAT(other->SeedFromPath(std::string(NASFAKE_SOURCE_DIR) + "/fixtures/seed"), IsOk());
  TestClient other_client(*other);
  std::string other_token =
      other_client.Get(std::string(kJobs) + "?pageSize=1").json().value("nextPageToken", "");
  ASSERT_FALSE(other_token.empty());
  EXPECT_THAT(Get(std::string(kJobs) + "?pageSize=1&pageToken=" + other_token),
              IsApiError(400, "INVALID_ARGUMENT", message));
  // The real token still works, under its own call.
  Answer next = Get(std::string(kJobs) + "?pageSize=1&pageToken=" + token);
  EXPECT_EQ(next.status, 200) << next.body;
  EXPECT_NE(next.json()["nasJobs"][0]["name"], first["nasJobs"][0]["name"]);
}

TEST_F(BadInputTest, FiltersThatDoNotParse) {
  const std::vector<std::string> filters = {
      "state%3D",                                                   // state=
      "display_name%3D%22x%22%20AND",                               // display_name="x" AND
      "(",                                                          // (
      ")",                                                          // )
      "colour%3D%22red%22",                                         // unknown field
      "state%3D%22NOT_A_STATE%22",                                  // unknown enum value
      "state%3C%22JOB_STATE_RUNNING%22",                            // < on an enum
      "create_time%3E%22yesterday%22",                              // not RFC 3339
      "display_name%3D%22unterminated",                             // open quote
      "labels.%3Dx",                                                // empty label key
      "%3D%3D%3D",                                                  // ===
      "NOT",                                                        // NOT alone
      "AND%20OR",                                                   // operators alone
      std::string(200, '(') + "state%3D1" + std::string(200, ')'),  // too deep
      std::string(5000, 'a'),                                       // too long
      "state%3D1%20" + Repeat("OR%20", 1000) + "state%3D2",         // OR OR OR
      Repeat("NOT%20", 1000) + "state%3D1",                         // NOT NOT NOT
      Repeat("-", 1000) + "state%3D1",                              // ----
  };
  for (const auto& filter : filters) {
    Answer reply = Get(std::string(kJobs) + "?filter=" + filter);
    EXPECT_THAT(reply, IsApiError(400, "INVALID_ARGUMENT", StartsWith("Invalid filter \"")))
        << filter;
    if (reply.status == 400) {
      EXPECT_EQ(reply.json()["error"]["details"][0]["fieldViolations"][0]["field"], "filter")
          << filter;
    }
  }
  EXPECT_THAT(Get(std::string(kLoc) + "/operations?filter=state%3D1"),
              IsApiError(400, "INVALID_ARGUMENT", HasSubstr("filter")));
}

// ---------------------------------------------------------------------------
// Names.

TEST_F(BadInputTest, NamesWithABadProjectLocationOrId) {
  const std::string id = "2111217356469436416";
  for (std::string project :
       std::vector<std::string>{"a", "ab-12", "UPPER-CASE", "my_project", "-starts-with-dash",
                                "1abc", std::string(31, 'a'), "%20", "p%2Fq"}) {
    std::string decoded = project == "%20" ? " " : project == "p%2Fq" ? "p/q" : project;
    EXPECT_THAT(Get("/v1/projects/" + project + "/locations/us-central1/nasJobs/" + id),
                IsApiError(400, "INVALID_ARGUMENT",
                           "Invalid NasJob resource name: \"projects/" + decoded +
                               "/locations/us-central1/nasJobs/" + id + "\"."))
        << project;
    EXPECT_THAT(Get("/v1/projects/" + project + "/locations/us-central1/nasJobs"),
                IsApiError(400, "INVALID_ARGUMENT",
                           "Invalid Location resource name: \"projects/" + decoded +
                               "/locations/us-central1\"."))
        << project;
  }
  for (std::string location : {"US-CENTRAL1", "us_central1", "us%20central1", "us.central1"}) {
    EXPECT_THAT(Get("/v1/projects/123456789012/locations/" + location + "/nasJobs/" + id),
                IsApiError(400, "INVALID_ARGUMENT", HasSubstr("Invalid NasJob resource name")))
        << location;
  }
  for (std::string bad_id : {"abc", "-1", "1.0", "12345678901234567890", "1e5", "%2B1", "0x10"}) {
    EXPECT_THAT(Get(std::string(kJobs) + "/" + bad_id),
                IsApiError(400, "INVALID_ARGUMENT", HasSubstr("Invalid NasJob resource name")))
        << bad_id;
    EXPECT_THAT(Post(std::string(kJobs) + "/" + bad_id + ":cancel", ""),
                IsApiError(400, "INVALID_ARGUMENT", HasSubstr("Invalid NasJob resource name")))
        << bad_id;
    EXPECT_THAT(Delete(std::string(kJobs) + "/" + bad_id),
                IsApiError(400, "INVALID_ARGUMENT", HasSubstr("Invalid NasJob resource name")))
        << bad_id;
  }
  // Empty segments match no rule.
  for (std::string target : {"/v1/projects//locations/us-central1/nasJobs/" + id,
                             "/v1/projects/123456789012/locations//nasJobs/" + id,
                             std::string(kJobs) + "/", std::string(kJobs) + "//" + id}) {
    EXPECT_THAT(Get(target), IsHtml404(target));
  }
  // Well-formed but absent, under the same or another project or location.
  for (std::string target : {std::string(kJobs) + "/1", std::string(kJobs) + "/9999999999999999999",
                             "/v1/projects/my-project/locations/us-central1/nasJobs/" + id,
                             "/v1/projects/123456789012/locations/europe-west4/nasJobs/" + id}) {
    EXPECT_THAT(Get(target), IsApiError(404, "NOT_FOUND", "The NasJob does not exist.")) << target;
    EXPECT_THAT(Post(target + ":cancel", ""),
                IsApiError(404, "NOT_FOUND", "The NasJob does not exist."))
        << target;
    EXPECT_THAT(Delete(target), IsApiError(404, "NOT_FOUND", "The NasJob does not exist."))
        << target;
  }
}

// ---------------------------------------------------------------------------
// Slow and vanishing clients.

TEST_F(BadInputTest, SlowlorisIsCutOffAtTheReadTimeoutWhileAnotherClientIsServed) {
  FakeServerOptions options;
  options.transport.read_timeout = milliseconds(300);
  client_.reset();
  server_.reset();
  Start(options);
  size_t journaled = server_->journal().size();

  // Headers a byte at a time, and a body a byte at a time.
  RawClient slow_head(port());
  RawClient slow_body(port());
  auto start = Clock::now();
  ASSERT_TRUE(slow_head.Send(std::string("GET ") + kRunning + " HTTP/1.1\r\nHost: a\r\nX-S: "));
  ASSERT_TRUE(slow_body.Send(std::string("POST ") + kRunning +
                             ":cancel HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n{"));

  // Meanwhile another client is served, more than once.
  for (int i = 0; i < 3; ++i) {
    Answer fast = Get(kRunning);
    EXPECT_EQ(fast.status, 200) << fast.error;
  }

  std::string head_answer, body_answer;
  bool head_cut = false, body_cut = false;
  // One more byte each time the server has said nothing for 20 ms; at most
  // 500 rounds (10 s), far beyond the 300 ms deadline.
  for (int i = 0; i < 500 && !(head_cut && body_cut); ++i) {
    if (!head_cut) {
      head_cut = slow_head.ReadSome(head_answer, milliseconds(10)) != -2 || !slow_head.Send("a");
    }
    if (!body_cut) {
      body_cut = slow_body.ReadSome(body_answer, milliseconds(10)) != -2 || !slow_body.Send(" ");
    }
  }
  auto elapsed = Clock::now() - start;
  ASSERT_TRUE(head_cut && body_cut);
  head_answer += slow_head.ReadAll().data;
  body_answer += slow_body.ReadAll().data;
  EXPECT_THAT(head_answer, StartsWith("HTTP/1.1 408 Request Timeout\r\n"));
  EXPECT_THAT(body_answer, StartsWith("HTTP/1.1 408 Request Timeout\r\n"));
  EXPECT_LT(elapsed, std::chrono::seconds(8));  // the deadline is 300 ms
  // Neither reached the API; the three fast requests did.
  EXPECT_EQ(server_->journal().size(), journaled + 3);
}

TEST_F(BadInputTest, ClientsThatVanishMidRequestLeaveNoTrace) {
  size_t journaled = server_->journal().size();
  const std::string body = ReadSourceFile("fixtures/reference/nasjob-create-request.json");
  const std::string head = std::string("POST ") + kJobs +
                           " HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
                           "Content-Length: " +
                           std::to_string(body.size()) + "\r\n\r\n";
  for (int i = 0; i < 20; ++i) {
    RawClient client(port());
    switch (i % 4) {
      case 0:  // half the body, then FIN
        ASSERT_TRUE(client.Send(head + body.substr(0, body.size() / 2)));
        client.Close();
        break;
      case 1:  // half the body, then RST
        ASSERT_TRUE(client.Send(head + body.substr(0, body.size() / 2)));
        client.Reset();
        break;
      case 2:  // half the headers
        ASSERT_TRUE(client.Send(head.substr(0, head.size() / 2)));
        client.Close();
        break;
      case 3: {  // a cancel's head and one byte of its body, then FIN for writing only
        ASSERT_TRUE(client.Send(std::string("POST ") + kRunning +
                                ":cancel HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n{"));
        client.ShutdownWrite();
        // The transport sees the body end early: its own 400, then it hangs up.
        RawClient::All all = client.ReadAll();
        EXPECT_TRUE(all.closed);
        EXPECT_THAT(all.data, StartsWith("HTTP/1.1 400 Bad Request\r\n"));
        break;
      }
    }
  }
  // The server still serves, no partial request reached the API, no job was created.
  for (int i = 0; i < 5; ++i) EXPECT_EQ(Get(kRunning).status, 200);
  EXPECT_EQ(server_->journal().size(), journaled + 5);
  // A whole request on a fresh connection still works.
  TestClient fresh(*server_);
  EXPECT_EQ(fresh.Get(kJobs).status, 200);
}

}  // namespace
}  // namespace nasfake
