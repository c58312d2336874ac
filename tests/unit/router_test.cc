// The request path without a socket: routing, parameter binding, auth and
// error rendering, through Router::Handle.
#include "fake/api/router.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fake/api/routing_header.h"
#include "tests/support/test_support.h"

namespace nasfake::api {
namespace {

using ::nasfake::testing::EqualsJson;
using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kParent[] = "/v1/projects/123456789012/locations/us-central1";

class RouterTest : public ::testing::Test {
 protected:
  Response Call(std::string method, std::string target, std::string body = "",
                HeaderList headers = {}) {
    Request request{std::move(method), std::move(target), std::move(headers), std::move(body),
                    "127.0.0.1"};
    return router_.Handle(request);
  }
  std::string CreateJob() {
    auto response =
        Call("POST", std::string(kParent) + "/nasJobs",
             nasfake::testing::ReadSourceFile("fixtures/reference/nasjob-create-request.json"));
    EXPECT_EQ(response.status, 200) << response.body;
    return json::parse(response.body)["name"];
  }

  FakeEnv env_{FakeOptions{}};
  Router router_{env_};
};

TEST_F(RouterTest, UnknownUrlGetsGooglesHtml404) {
  for (const char* target :
       {"/v1/projects/p/locations/l/cachedContents", "/v2/projects/123456/locations/l/nasJobs", "/",
        "/v1/projects/123456/locations/us-central1/nasJobs/1/extra",
        "/v1/projects%2F123456%2Flocations%2Fus-central1%2FnasJobs%2F1"}) {
    Response r = Call("GET", target);
    EXPECT_EQ(r.status, 404) << target;
    EXPECT_THAT(r.content_type, StartsWith("text/html"));
    EXPECT_THAT(r.body, HasSubstr("<title>Error 404 (Not Found)!!1</title>"));
    EXPECT_THAT(r.body, HasSubstr("was not found on this server."));
  }
}

TEST_F(RouterTest, KnownPathWithUnboundMethodIsHtml404) {
  Response r = Call("PUT", std::string(kParent) + "/nasJobs/1");
  EXPECT_EQ(r.status, 404);
  EXPECT_THAT(r.content_type, StartsWith("text/html"));
  r = Call("POST", std::string(kParent) + "/nasJobs/1:pause");
  EXPECT_EQ(r.status, 404);
}

TEST_F(RouterTest, NotFoundJobIsGoogleErrorBody) {
  Response r = Call("GET", std::string(kParent) + "/nasJobs/2111217356469436416");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type, "application/json; charset=UTF-8");
  EXPECT_THAT(r.body, EqualsJson(nasfake::testing::ReadJsonFixture(
                          "fixtures/reference/error-404-nasjob-not-found.json")));
}

TEST_F(RouterTest, NonNumericJobIdIsInvalidArgument) {
  Response r = Call("GET", std::string(kParent) + "/nasJobs/abc");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body)["error"]["status"], "INVALID_ARGUMENT");
  EXPECT_THAT(r.body, HasSubstr("Invalid NasJob resource name"));
}

TEST_F(RouterTest, SystemParametersAreAccepted) {
  std::string name = CreateJob();
  for (const char* query : {"?alt=json", "?$alt=json%3Benum-encoding=int", "?prettyPrint=false",
                            "?$.xgafv=2&fields=name&key=k&quotaUser=u", "?"}) {
    Response r = Call("GET", "/v1/" + name + query);
    EXPECT_EQ(r.status, 200) << query << " " << r.body;
  }
}

TEST_F(RouterTest, EnumEncodingIntWritesIntegerEnums) {
  std::string name = CreateJob();
  json by_name = json::parse(Call("GET", "/v1/" + name).body);
  json by_number = json::parse(Call("GET", "/v1/" + name + "?$alt=json%3Benum-encoding=int").body);
  EXPECT_EQ(by_name["state"], "JOB_STATE_QUEUED");
  EXPECT_EQ(by_number["state"], 1);
  EXPECT_EQ(by_number["nasJobSpec"]["multiTrialAlgorithmSpec"]["metric"]["goal"], 1);
}

TEST_F(RouterTest, UnknownQueryParameterIsRejectedWithGooglesWording) {
  Response r = Call("GET", std::string(kParent) + "/nasJobs?foo=1");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body)["error"]["message"],
            "Invalid JSON payload received. Unknown name \"foo\": Cannot bind query parameter. "
            "Field 'foo' could not be found in request message.");
  // A list parameter is not a get parameter.
  EXPECT_EQ(Call("GET", std::string(kParent) + "/nasJobs/1?pageSize=3").status, 400);
}

TEST_F(RouterTest, QueryParametersInCamelOrSnakeCase) {
  for (int i = 0; i < 3; ++i) CreateJob();
  for (const char* query : {"?pageSize=2", "?page_size=2"}) {
    json page = json::parse(Call("GET", std::string(kParent) + "/nasJobs" + query).body);
    EXPECT_EQ(page["nasJobs"].size(), 2u) << query;
    EXPECT_TRUE(page.contains("nextPageToken"));
  }
}

TEST_F(RouterTest, PageSizeMustBeAnInt32) {
  Response r = Call("GET", std::string(kParent) + "/nasJobs?pageSize=ten");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body)["error"]["message"],
            "Invalid value at 'page_size' (TYPE_INT32), \"ten\"");
  EXPECT_EQ(Call("GET", std::string(kParent) + "/nasJobs?pageSize=-1").status, 400);
  EXPECT_EQ(Call("GET", std::string(kParent) + "/nasJobs?pageSize=99999999999").status, 400);
}

TEST_F(RouterTest, RequireAuthAnswers401WithoutABearerToken) {
  FakeOptions options;
  options.require_auth = true;
  FakeEnv env(options);
  Router router(env);
  Request request{"GET", std::string(kParent) + "/nasJobs", {}, "", ""};
  Response r = router.Handle(request);
  EXPECT_EQ(r.status, 401);
  EXPECT_THAT(r.body, EqualsJson(nasfake::testing::ReadJsonFixture(
                          "fixtures/reference/error-401-unauthenticated.json")));
  request.headers = {{"authorization", "Basic abc"}};
  EXPECT_EQ(router.Handle(request).status, 401);
  request.headers = {{"authorization", "Bearer ya29.token"}};
  EXPECT_EQ(router.Handle(request).status, 200);
}

TEST_F(RouterTest, CancelAcceptsEmptyAndEmptyObjectBodiesOnly) {
  std::string target = "/v1/" + CreateJob() + ":cancel";
  EXPECT_EQ(Call("POST", target, "").body, "{}");
  EXPECT_EQ(Call("POST", target, "{}").body, "{}");
  EXPECT_EQ(Call("POST", target, " { } \n").body, "{}");
  Response r = Call("POST", target, "{\"force\":true}");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, EqualsJson(nasfake::testing::ReadJsonFixture(
                          "fixtures/reference/error-400-unknown-field-cancel-body.json")));
  r = Call("POST", target, "{\"force\":");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(json::parse(r.body)["error"]["message"].get<std::string>(),
              StartsWith("Invalid JSON payload received. "));
  r = Call("POST", target, "[]");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("Root element must be a message."));
}

TEST_F(RouterTest, HeadIsServedLikeGet) {
  std::string name = CreateJob();
  EXPECT_EQ(Call("HEAD", "/v1/" + name).status, 200);
}

TEST_F(RouterTest, ProjectIdInUrlAnswersWithProjectNumber) {
  Response r =
      Call("POST", "/v1/projects/my-project/locations/us-central1/nasJobs",
           nasfake::testing::ReadSourceFile("fixtures/reference/nasjob-create-request.json"));
  ASSERT_EQ(r.status, 200) << r.body;
  std::string name = json::parse(r.body)["name"];
  EXPECT_THAT(name, StartsWith("projects/" + model::CanonicalProject("my-project") +
                               "/locations/us-central1/nasJobs/"));
  std::string id = name.substr(name.rfind('/') + 1);
  EXPECT_EQ(Call("GET", "/v1/projects/my-project/locations/us-central1/nasJobs/" + id).status, 200);
}

// What a GAPIC client repeats in x-goog-request-params, per kind of route.
TEST(PathFieldOf, NamesTheFieldAndItsValueAsThePathSpellsIt) {
  auto field = [](std::string method, std::string target) {
    Request request{std::move(method), std::move(target), {}, "", "127.0.0.1"};
    auto resolved = Resolve(request);
    EXPECT_TRUE(resolved.has_value());
    PathField f = PathFieldOf(*resolved);
    return std::string(f.name) + "=" + f.value;
  };
  const std::string p = "projects/p/locations/l";
  EXPECT_EQ(field("GET", "/v1/" + p + "/nasJobs/1"), "name=" + p + "/nasJobs/1");
  EXPECT_EQ(field("POST", "/v1/" + p + "/nasJobs/1:cancel"), "name=" + p + "/nasJobs/1");
  EXPECT_EQ(field("GET", "/v1/" + p + "/nasJobs?pageSize=2"), "parent=" + p);
  EXPECT_EQ(field("POST", "/v1/" + p + "/nasJobs"), "parent=" + p);
  EXPECT_EQ(field("GET", "/v1/" + p + "/nasJobs/1/nasTrialDetails"), "parent=" + p + "/nasJobs/1");
  EXPECT_EQ(field("GET", "/v1/" + p + "/operations"), "name=" + p);
  EXPECT_EQ(field("GET", "/ui/" + p + "/operations/9"), "=" + p + "/operations/9");
}

TEST(RoutingHeaderMismatch, NotesOnlyAHeaderThatNamesThePathFieldWithAnotherValue) {
  auto note = [](std::string target, std::vector<std::string> params) {
    HeaderList headers;
    for (std::string& p : params) headers.emplace_back("x-goog-request-params", std::move(p));
    Request request{"GET", std::move(target), std::move(headers), "", "127.0.0.1"};
    return RoutingHeaderMismatch(request, *Resolve(request));
  };
  const std::string list = "/v1/projects/p/locations/l/nasJobs";
  EXPECT_EQ(note(list, {}), "");
  EXPECT_EQ(note(list, {"parent=projects%2Fp%2Flocations%2Fl"}), "");
  EXPECT_EQ(note(list, {"parent=projects/p/locations/l"}), "");  // unencoded is the same value
  EXPECT_EQ(note(list, {"name=other&parent=projects%2Fp%2Flocations%2Fl"}), "");
  EXPECT_EQ(note(list, {"garbage"}), "");
  EXPECT_EQ(note(list, {"parent=projects%2Fq%2Flocations%2Fl"}),
            "x-goog-request-params parent=\"projects/q/locations/l\" is not the request's "
            "\"projects/p/locations/l\"");
  EXPECT_EQ(note(list, {"", "parent=%zz"}),
            "x-goog-request-params parent=\"%zz\" is not the request's \"projects/p/locations/l\"");
}

}  // namespace
}  // namespace nasfake::api
