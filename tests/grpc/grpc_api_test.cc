// The fake over gRPC, driven by an independent client (grpc++'s generated
// stubs of the project's protos): every method, errors with their details,
// metadata, deadlines, and one job seen through both transports.
#include <gmock/gmock.h>
#include <google/protobuf/util/json_util.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "fake/errors.h"
#include "fake/grpc/grpc_framing.h"
#include "fake/journal/matchers.h"
#include "fake/testing/status_matchers.h"
#include "google/cloud/aiplatform/v1/job_service.grpc.pb.h"
#include "google/cloud/aiplatform/v1/operation.pb.h"
#include "google/longrunning/operations.grpc.pb.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "scenarios/answers.h"
#include "scenarios/builder.h"
#include "tests/grpc/grpc_test_support.h"
#include "tests/grpc/raw_h2_client.h"
#include "tests/support/test_support.h"

namespace nasfake {
namespace {

namespace v1 = google::cloud::aiplatform::v1;
using ::nasfake::testing::IsOk;
using ::nasfake::testing::TestClient;
using nlohmann::json;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

constexpr char kLocation[] = "projects/123456789012/locations/us-central1";
constexpr char kRunning[] =
    "projects/123456789012/locations/us-central1/nasJobs/2111217356469436416";
constexpr char kSucceeded[] =
    "projects/123456789012/locations/us-central1/nasJobs/7045544066951413760";

class GrpcApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    NASFAKE_SKIP_GRPC_CLIENT_UNDER_TSAN();
    server_ = testing::StartFakeServer();
    ASSERT_NE(server_, nullptr);
    ASSERT_FALSE(server_->grpc_endpoint().empty());
    ASSERT_TRUE(server_->SeedFromPath(std::string(NASFAKE_SOURCE_DIR) + "/fixtures/seed").ok());
    channel_ =
        ::grpc::CreateChannel(server_->grpc_endpoint(), ::grpc::InsecureChannelCredentials());
    jobs_ = v1::JobService::NewStub(channel_);
    operations_ = google::longrunning::Operations::NewStub(channel_);
  }

  // A context with a deadline, so no test waits forever.
  static std::unique_ptr<::grpc::ClientContext> Context(std::chrono::milliseconds timeout = 10s) {
    auto context = std::make_unique<::grpc::ClientContext>();
    context->set_deadline(std::chrono::system_clock::now() + timeout);
    return context;
  }

  std::unique_ptr<FakeServer> server_;
  std::shared_ptr<::grpc::Channel> channel_;
  std::unique_ptr<v1::JobService::Stub> jobs_;
  std::unique_ptr<google::longrunning::Operations::Stub> operations_;
};

TEST_F(GrpcApiTest, GetReturnsTheSeededJob) {
  v1::GetNasJobRequest request;
  request.set_name(kRunning);
  v1::NasJob job;
  ::grpc::Status status = jobs_->GetNasJob(Context().get(), request, &job);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(job.name(), kRunning);
  EXPECT_EQ(job.state(), v1::JOB_STATE_RUNNING);
  EXPECT_FALSE(job.display_name().empty());
  EXPECT_TRUE(job.has_create_time());
}

TEST_F(GrpcApiTest, OneJobSeenThroughBothTransports) {
  v1::CreateNasJobRequest request;
  request.set_parent(kLocation);
  v1::NasJob* job = request.mutable_nas_job();
  job->set_display_name("over-grpc");
  auto* spec = job->mutable_nas_job_spec()->mutable_multi_trial_algorithm_spec();
  spec->set_multi_trial_algorithm(v1::NasJobSpec::MultiTrialAlgorithmSpec::REINFORCEMENT_LEARNING);
  spec->mutable_search_trial_spec()->set_max_trial_count(2);
  spec->mutable_search_trial_spec()->set_max_parallel_trial_count(1);
  auto* pool =
      spec->mutable_search_trial_spec()->mutable_search_trial_job_spec()->add_worker_pool_specs();
  pool->mutable_machine_spec()->set_machine_type("n1-standard-4");
  pool->set_replica_count(1);
  pool->mutable_container_spec()->set_image_uri("gcr.io/p/trainer:latest");
  job->mutable_nas_job_spec()->set_search_space_spec("{}");
  v1::NasJob created;
  ::grpc::Status status = jobs_->CreateNasJob(Context().get(), request, &created);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(created.state(), v1::JOB_STATE_QUEUED);
  ASSERT_THAT(created.name(), HasSubstr(std::string(kLocation) + "/nasJobs/"));

  TestClient rest(*server_);
  auto reply = rest.Get("/v1/" + created.name());
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.json()["displayName"], "over-grpc");
  EXPECT_EQ(reply.json()["state"], "JOB_STATE_QUEUED");
}

TEST_F(GrpcApiTest, ListPagesWithTheRestParameters) {
  v1::ListNasJobsRequest request;
  request.set_parent(kLocation);
  request.set_page_size(2);
  v1::ListNasJobsResponse page;
  ::grpc::Status status = jobs_->ListNasJobs(Context().get(), request, &page);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(page.nas_jobs_size(), 2);
  EXPECT_FALSE(page.next_page_token().empty());
  auto entries = server_->journal().Entries();
  ASSERT_FALSE(entries.empty());
  EXPECT_EQ(entries.back().transport, api::Transport::kGrpc);
  EXPECT_EQ(entries.back().operation, "nasJobs.list");
  EXPECT_EQ(entries.back().target, std::string("/v1/") + kLocation + "/nasJobs?pageSize=2");
}

TEST_F(GrpcApiTest, NotFoundCarriesTheRestMessage) {
  v1::GetNasJobRequest request;
  request.set_name(std::string(kLocation) + "/nasJobs/42");
  v1::NasJob job;
  ::grpc::Status status = jobs_->GetNasJob(Context().get(), request, &job);
  EXPECT_EQ(status.error_code(), ::grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(status.error_message(), "The NasJob does not exist.");
}

TEST_F(GrpcApiTest, InvalidArgumentCarriesBadRequestDetails) {
  v1::ListNasJobsRequest request;
  request.set_parent(kLocation);
  request.set_page_size(-1);
  v1::ListNasJobsResponse page;
  ::grpc::Status status = jobs_->ListNasJobs(Context().get(), request, &page);
  ASSERT_EQ(status.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(status.error_details()));
  EXPECT_EQ(details.code(), static_cast<int>(::grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_EQ(details.message(), status.error_message());
  ASSERT_EQ(details.details_size(), 1);
  google::rpc::BadRequest bad_request;
  ASSERT_TRUE(details.details(0).UnpackTo(&bad_request));
  ASSERT_EQ(bad_request.field_violations_size(), 1);
  EXPECT_EQ(bad_request.field_violations(0).field(), "page_size");
}

TEST_F(GrpcApiTest, CancelOfATerminalJobIsFailedPrecondition) {
  v1::CancelNasJobRequest request;
  request.set_name(kSucceeded);
  google::protobuf::Empty empty;
  ::grpc::Status status = jobs_->CancelNasJob(Context().get(), request, &empty);
  EXPECT_EQ(status.error_code(), ::grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(GrpcApiTest, CancelThenCancelledWithErrorCodeOneOnTheVirtualClock) {
  v1::CancelNasJobRequest cancel;
  cancel.set_name(kRunning);
  google::protobuf::Empty empty;
  ::grpc::Status status = jobs_->CancelNasJob(Context().get(), cancel, &empty);
  ASSERT_TRUE(status.ok()) << status.error_message();
  v1::GetNasJobRequest get;
  get.set_name(kRunning);
  v1::NasJob job;
  ASSERT_TRUE(jobs_->GetNasJob(Context().get(), get, &job).ok());
  EXPECT_EQ(job.state(), v1::JOB_STATE_CANCELLING);
  ASSERT_NE(server_->clock(), nullptr);
  server_->clock()->Advance(std::chrono::seconds(60));
  ASSERT_TRUE(jobs_->GetNasJob(Context().get(), get, &job).ok());
  EXPECT_EQ(job.state(), v1::JOB_STATE_CANCELLED);
  EXPECT_EQ(job.error().code(), 1);
}

TEST_F(GrpcApiTest, APolledJobIsAnsweredAfreshOnceItChanges) {
  v1::GetNasJobRequest get;
  get.set_name(kRunning);
  v1::NasJob first, again;
  ASSERT_TRUE(jobs_->GetNasJob(Context().get(), get, &first).ok());
  ASSERT_TRUE(jobs_->GetNasJob(Context().get(), get, &again).ok());
  EXPECT_EQ(again.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(again.state(), v1::JOB_STATE_RUNNING);
  v1::CancelNasJobRequest cancel;
  cancel.set_name(kRunning);
  google::protobuf::Empty empty;
  ASSERT_TRUE(jobs_->CancelNasJob(Context().get(), cancel, &empty).ok());
  v1::NasJob changed;
  ASSERT_TRUE(jobs_->GetNasJob(Context().get(), get, &changed).ok());
  EXPECT_EQ(changed.state(), v1::JOB_STATE_CANCELLING);
  EXPECT_EQ(changed.name(), kRunning);
}

TEST_F(GrpcApiTest, DeleteReturnsAnOperationPolledThroughOperations) {
  v1::DeleteNasJobRequest request;
  request.set_name(kSucceeded);
  google::longrunning::Operation operation;
  ::grpc::Status status = jobs_->DeleteNasJob(Context().get(), request, &operation);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_THAT(operation.name(), HasSubstr(std::string(kLocation) + "/operations/"));
  v1::DeleteOperationMetadata metadata;
  EXPECT_TRUE(operation.metadata().UnpackTo(&metadata));
  google::longrunning::GetOperationRequest get;
  get.set_name(operation.name());
  google::longrunning::Operation polled = operation;
  for (int i = 0; i < 10 && !polled.done(); ++i) {
    ASSERT_TRUE(operations_->GetOperation(Context().get(), get, &polled).ok());
  }
  EXPECT_TRUE(polled.done());
  v1::GetNasJobRequest get_job;
  get_job.set_name(kSucceeded);
  v1::NasJob job;
  EXPECT_EQ(jobs_->GetNasJob(Context().get(), get_job, &job).error_code(),
            ::grpc::StatusCode::NOT_FOUND);
}

TEST_F(GrpcApiTest, UnknownMethodIsUnimplemented) {
  ::grpc::GenericStub generic(channel_);
  ::grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + 10s);
  ::grpc::ByteBuffer response;
  ::grpc::Slice no_bytes;
  ::grpc::ByteBuffer empty_request(&no_bytes, 1);  // a default ByteBuffer is no message
  ::grpc::Status status;
  std::mutex mu;
  std::condition_variable done_cv;
  bool done = false;
  generic.UnaryCall(&context, "/google.cloud.aiplatform.v1.JobService/GetCustomJob",
                    ::grpc::StubOptions(), &empty_request, &response, [&](::grpc::Status s) {
                      std::lock_guard lock(mu);
                      status = std::move(s);
                      done = true;
                      done_cv.notify_all();
                    });
  std::unique_lock lock(mu);
  ASSERT_TRUE(done_cv.wait_for(lock, 20s, [&] { return done; }));
  EXPECT_EQ(status.error_code(), ::grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_THAT(status.error_message(),
              HasSubstr("Method not found: google.cloud.aiplatform.v1.JobService/GetCustomJob"));
}

TEST_F(GrpcApiTest, ABadResourceNameIsInvalidArgument) {
  v1::GetNasJobRequest request;
  request.set_name("not-a-name");
  v1::NasJob job;
  ::grpc::Status status = jobs_->GetNasJob(Context().get(), request, &job);
  EXPECT_EQ(status.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("\"not-a-name\""));
}

TEST_F(GrpcApiTest, MetadataReachesTheJournalAndPicksTheTenant) {
  auto context = Context();
  context->AddMetadata("x-nasfake-test-id", "t-grpc");
  context->AddMetadata("x-goog-api-client", "gl-cpp/test");
  v1::GetNasJobRequest request;
  request.set_name(kRunning);
  v1::NasJob job;
  // The tenant "t-grpc" has no seeded jobs.
  EXPECT_EQ(jobs_->GetNasJob(context.get(), request, &job).error_code(),
            ::grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(server_->journal().Entries().empty());  // the default tenant saw nothing
  // Its journal, through the control API (REST-only), scoped by the same id.
  TestClient rest(*server_);
  json journal = rest.Get("/__nasfake/v1/journal", {{"x-nasfake-test-id", "t-grpc"}}).json();
  ASSERT_EQ(journal["entries"].size(), 1u) << journal.dump();
  const json& entry = journal["entries"][0];
  EXPECT_EQ(entry["transport"], "grpc");
  EXPECT_EQ(entry["operation"], "nasJobs.get");
  EXPECT_EQ(entry["resource"], kRunning);
  EXPECT_EQ(entry["method"], "GET");
  EXPECT_EQ(entry["status"], 404);
  EXPECT_EQ(entry["headers"]["x-goog-api-client"], "gl-cpp/test");
  EXPECT_EQ(entry["action"], "pass");
}

// The routing header a GAPIC client sends is checked against the request: a
// disagreement is journaled, the call is answered as usual.
TEST_F(GrpcApiTest, ARoutingHeaderThatDisagreesIsNotedInTheJournal) {
  auto call = [&](const std::string& params) {
    auto context = Context();
    context->AddMetadata("x-goog-request-params", params);
    v1::GetNasJobRequest request;
    request.set_name(kRunning);
    v1::NasJob job;
    return jobs_->GetNasJob(context.get(), request, &job).error_code();
  };
  const std::string encoded = "name=projects%2F123456789012%2Flocations%2Fus-central1%2FnasJobs%2F";
  EXPECT_EQ(call(encoded + "2111217356469436416"), ::grpc::StatusCode::OK);
  EXPECT_EQ(call(encoded + "1"), ::grpc::StatusCode::OK);
  std::vector<journal::Entry> entries = server_->journal().Entries();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].action, "pass");
  EXPECT_EQ(entries[1].action,
            "pass (x-goog-request-params name=\"projects/123456789012/locations/us-central1/"
            "nasJobs/1\" is not the request's \"" +
                std::string(kRunning) + "\")");
}

TEST_F(GrpcApiTest, ScenarioRulesApplyAndMayMatchOnTransport) {
  auto scenario = scenarios::ScenarioBuilder("grpc-only")
                      .On(scenarios::Match().Transport(api::Transport::kGrpc))
                      .Answer(scenarios::ErrorAnswer(errors::Unavailable()))
                      .Build();
  ASSERT_TRUE(scenario.ok()) << scenario.status().message();
  ASSERT_TRUE(server_->LoadScenario(*scenario).ok());
  v1::GetNasJobRequest request;
  request.set_name(kRunning);
  v1::NasJob job;
  EXPECT_EQ(jobs_->GetNasJob(Context().get(), request, &job).error_code(),
            ::grpc::StatusCode::UNAVAILABLE);
  TestClient rest(*server_);
  EXPECT_EQ(rest.Get(std::string("/v1/") + kRunning).status, 200);
}

TEST_F(GrpcApiTest, AResetRuleResetsTheConnectionAndTheJournalSaysSo) {
  auto scenario = scenarios::ScenarioBuilder("reset")
                      .On(scenarios::Match().Operation("nasJobs.get"))
                      .Times(1)
                      .Do(scenarios::Fault({api::WireFault::Kind::kReset}))
                      .Build();
  ASSERT_THAT(scenario, IsOk());
  ASSERT_THAT(server_->LoadScenario(*scenario), IsOk());
  v1::GetNasJobRequest request;
  request.set_name(kRunning);
  v1::NasJob job;
  EXPECT_EQ(jobs_->GetNasJob(Context().get(), request, &job).error_code(),
            ::grpc::StatusCode::UNAVAILABLE);
  EXPECT_TRUE(jobs_->GetNasJob(Context().get(), request, &job).ok());  // a new connection
  auto entries = server_->journal().Entries();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].action, "fault:reset");
  EXPECT_EQ(entries[0].status, 0);  // the client got no answer
  EXPECT_EQ(entries[1].status, 200);
}

// REFUSED_STREAM tells the client the call was never processed, and the
// fake keeps that promise: the refused create creates nothing, so a client
// that retries it (grpc++ 1.51 leaves that to the caller: UNAVAILABLE)
// ends with exactly one job.
TEST_F(GrpcApiTest, ARefusedCreateIsNotProcessed) {
  auto scenario =
      scenarios::ScenarioBuilder("refused")
          .On(scenarios::Match().Transport(api::Transport::kGrpc).Operation("nasJobs.create"))
          .Times(1)
          .Do(scenarios::Fault(
              {.kind = api::WireFault::Kind::kRstStream, .code = api::kHttp2RefusedStream}))
          .Build();
  ASSERT_THAT(scenario, IsOk());
  ASSERT_THAT(server_->LoadScenario(*scenario), IsOk());
  const size_t jobs_before = server_->jobs().size();
  v1::CreateNasJobRequest request;
  request.set_parent(kLocation);
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(
                  R"({"displayName":"refused once","nasJobSpec":{"multiTrialAlgorithmSpec":{
                      "searchTrialSpec":{"maxTrialCount":1,"maxParallelTrialCount":1,
                      "searchTrialJobSpec":{"workerPoolSpecs":[{"machineSpec":
                      {"machineType":"n1-standard-4"}}]}}}}})",
                  request.mutable_nas_job())
                  .ok());
  v1::NasJob job;
  ::grpc::Status refused = jobs_->CreateNasJob(Context().get(), request, &job);
  EXPECT_EQ(refused.error_code(), ::grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(refused.error_message(), HasSubstr("RST_STREAM with error code 7"));
  EXPECT_EQ(server_->jobs().size(), jobs_before);
  ::grpc::Status retried = jobs_->CreateNasJob(Context().get(), request, &job);
  ASSERT_TRUE(retried.ok()) << retried.error_message();
  EXPECT_EQ(server_->jobs().size(), jobs_before + 1);
  auto entries = server_->journal().Entries();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].action, "fault:rst_stream");
  ASSERT_TRUE(entries[0].fault.has_value());
  EXPECT_EQ(api::CodeOf(*entries[0].fault), api::kHttp2RefusedStream);
  EXPECT_EQ(entries[0].status, 0);
  EXPECT_EQ(entries[1].action, "pass");
  EXPECT_EQ(entries[1].status, 200);
}

// A rule built in C++ without the loader may name a fault the front end does
// not perform: the request is answered UNAVAILABLE and the journal says so.
TEST_F(GrpcApiTest, AGrpcOnlyFaultOnARestRequestIsNotPerformed) {
  scenarios::Scenario scenario;
  scenario.name = "unchecked";
  scenarios::Rule rule;
  rule.id = "goaway";
  rule.actions = {scenarios::Fault({.kind = api::WireFault::Kind::kGoaway})};
  scenario.rules.push_back(rule);
  ASSERT_THAT(server_->LoadScenario(scenario), IsOk());
  TestClient rest(*server_);
  auto response = rest.Get(std::string("/v1/") + kRunning);
  EXPECT_EQ(response.status, 503);
  EXPECT_THAT(response.body, HasSubstr(R"(\"goaway\" is not performed over rest)"));
  auto entries = server_->journal().Entries();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].action, "fault:goaway (not performed over rest)");
  EXPECT_EQ(entries[0].status, 503);
}

// A scripted answer with fields this API version lacks reaches a gRPC client
// as the message it knows, the other fields dropped.
TEST_F(GrpcApiTest, AnAnswersUnknownFieldsAreDropped) {
  scenarios::ScriptedAnswer newer;
  newer.body = R"({"name":")" + std::string(kRunning) +
               R"(","state":"JOB_STATE_RUNNING","futureField":{"nested":[1,2]},)"
               R"("anotherNewField":"x"})";
  auto scenario = scenarios::ScenarioBuilder("newer")
                      .On(scenarios::Match().Operation("nasJobs.get"))
                      .Answer(newer)
                      .Build();
  ASSERT_THAT(scenario, IsOk());
  ASSERT_THAT(server_->LoadScenario(*scenario), IsOk());
  v1::GetNasJobRequest request;
  request.set_name(kRunning);
  v1::NasJob job;
  ::grpc::Status status = jobs_->GetNasJob(Context().get(), request, &job);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(job.name(), kRunning);
  EXPECT_EQ(job.state(), v1::JOB_STATE_RUNNING);
}

TEST_F(GrpcApiTest, AnHtmlAnswerReachesTheClientAsItsHttpStatus) {
  auto scenario = scenarios::ScenarioBuilder("proxy")
                      .On(scenarios::Match().Operation("nasJobs.get"))
                      .Answer(scenarios::HtmlAnswer(502))
                      .Build();
  ASSERT_TRUE(scenario.ok()) << scenario.status().message();
  ASSERT_TRUE(server_->LoadScenario(*scenario).ok());
  v1::GetNasJobRequest request;
  request.set_name(kRunning);
  v1::NasJob job;
  EXPECT_EQ(jobs_->GetNasJob(Context().get(), request, &job).error_code(),
            ::grpc::StatusCode::UNAVAILABLE);
}

// Loads a scenario that holds every nasJobs.get on hold "h".
Status HoldEveryGet(FakeServer& server) {
  auto scenario = scenarios::ScenarioBuilder("held")
                      .On(scenarios::Match().Operation("nasJobs.get"))
                      .Do(scenarios::Hold("h"))
                      .Build();
  if (!scenario.ok()) return scenario.status();
  return server.LoadScenario(*scenario);
}

TEST_F(GrpcApiTest, AHeldCallEndsAtItsDeadline) {
  ASSERT_THAT(HoldEveryGet(*server_), IsOk());
  v1::GetNasJobRequest request;
  request.set_name(kRunning);
  v1::NasJob job;
  EXPECT_EQ(jobs_->GetNasJob(Context(200ms).get(), request, &job).error_code(),
            ::grpc::StatusCode::DEADLINE_EXCEEDED);
}

// The held call's handler waits on the connection's thread's behalf
// elsewhere (fake/about_to_wait.h): the same channel, so the same connection,
// goes on answering.
TEST_F(GrpcApiTest, AHeldCallDoesNotStallItsChannel) {
  ASSERT_THAT(HoldEveryGet(*server_), IsOk());
  v1::GetNasJobRequest get;
  get.set_name(kRunning);
  v1::NasJob job;
  ::grpc::Status held;
  std::thread caller([&] { held = jobs_->GetNasJob(Context().get(), get, &job); });
  ASSERT_THAT(server_->scenario_engine().WaitForHeld("h", 1, 10s), journal::IsMet());
  v1::ListNasJobsRequest list;
  list.set_parent(kLocation);
  v1::ListNasJobsResponse page;
  ::grpc::Status listed = jobs_->ListNasJobs(Context().get(), list, &page);
  EXPECT_TRUE(listed.ok()) << listed.error_message();
  EXPECT_TRUE(server_->scenario_engine().ReleaseHold("h").ok());
  caller.join();
  ASSERT_TRUE(held.ok()) << held.error_message();
  EXPECT_EQ(job.name(), kRunning);
}

// The same over raw HTTP/2, so that it runs under TSan too (grpc++ does not):
// the hold moves the connection's loop to another thread while the fake's
// request path is in the middle of a call.
TEST(GrpcHoldTest, AHeldCallDoesNotStallItsConnectionOverRawHttp2) {
  auto server = testing::StartFakeServer();
  ASSERT_NE(server, nullptr);
  ASSERT_TRUE(server->SeedFromPath(std::string(NASFAKE_SOURCE_DIR) + "/fixtures/seed").ok());
  ASSERT_THAT(HoldEveryGet(*server), IsOk());
  const std::string& endpoint = server->grpc_endpoint();
  testing::RawH2Client client(std::stoi(endpoint.substr(endpoint.rfind(':') + 1)));
  v1::GetNasJobRequest get;
  get.set_name(kRunning);
  int32_t held =
      client.Request(testing::GrpcHeaders("/google.cloud.aiplatform.v1.JobService/GetNasJob"),
                     grpc::FrameMessage(get.SerializeAsString()));
  ASSERT_THAT(server->scenario_engine().WaitForHeld("h", 1, 10s), journal::IsMet());
  v1::ListNasJobsRequest list;
  list.set_parent(kLocation);
  const testing::RawResponse& listed = client.Wait(
      client.Request(testing::GrpcHeaders("/google.cloud.aiplatform.v1.JobService/ListNasJobs"),
                     grpc::FrameMessage(list.SerializeAsString())));
  EXPECT_EQ(listed.Get("grpc-status"), "0");
  EXPECT_TRUE(server->scenario_engine().ReleaseHold("h").ok());
  const testing::RawResponse& answered = client.Wait(held);
  EXPECT_EQ(answered.Get("grpc-status"), "0");
  v1::NasJob job;
  ASSERT_GT(answered.data.size(), 5u);
  ASSERT_TRUE(job.ParseFromString(answered.data.substr(5)));  // after the 5-byte prefix
  EXPECT_EQ(job.name(), kRunning);
}

TEST(GrpcAuthTest, RequireAuthWantsABearerToken) {
  NASFAKE_SKIP_GRPC_CLIENT_UNDER_TSAN();
  FakeServerOptions options;
  options.fake.require_auth = true;
  auto server = testing::StartFakeServer(options);
  ASSERT_NE(server, nullptr);
  auto channel =
      ::grpc::CreateChannel(server->grpc_endpoint(), ::grpc::InsecureChannelCredentials());
  auto stub = v1::JobService::NewStub(channel);
  v1::GetNasJobRequest request;
  request.set_name(kRunning);
  v1::NasJob job;
  ::grpc::ClientContext without;
  without.set_deadline(std::chrono::system_clock::now() + 10s);
  EXPECT_EQ(stub->GetNasJob(&without, request, &job).error_code(),
            ::grpc::StatusCode::UNAUTHENTICATED);
  ::grpc::ClientContext with;
  with.set_deadline(std::chrono::system_clock::now() + 10s);
  with.AddMetadata("authorization", "Bearer t0ken");
  EXPECT_EQ(stub->GetNasJob(&with, request, &job).error_code(),
            ::grpc::StatusCode::NOT_FOUND);  // authenticated; nothing seeded
}

// --- gRPC over TLS (FakeServerOptions::tls) ------------------------------------

// A fake over TLS that wants a bearer token, and grpc++ channels to it.
class GrpcTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    NASFAKE_SKIP_GRPC_CLIENT_UNDER_TSAN();
    FakeServerOptions options;
    options.tls = true;
    options.fake.require_auth = true;
    server_ = testing::StartFakeServer(options);
    ASSERT_NE(server_, nullptr);
    ASSERT_TRUE(server_->SeedFromPath(std::string(NASFAKE_SOURCE_DIR) + "/fixtures/seed").ok());
  }

  std::shared_ptr<::grpc::ChannelCredentials> TrustingTheCa() const {
    ::grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = server_->ca_pem();
    return ::grpc::SslCredentials(ssl);
  }

  // GetNasJob(kRunning) over a channel with `credentials` (and `arguments`).
  ::grpc::Status Get(std::shared_ptr<::grpc::ChannelCredentials> credentials,
                     const ::grpc::ChannelArguments& arguments = {}) const {
    auto stub = v1::JobService::NewStub(
        ::grpc::CreateCustomChannel(server_->grpc_endpoint(), credentials, arguments));
    v1::GetNasJobRequest request;
    request.set_name(kRunning);
    v1::NasJob job;
    ::grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + 10s);
    ::grpc::Status status = stub->GetNasJob(&context, request, &job);
    if (status.ok()) {
      EXPECT_EQ(job.state(), v1::JOB_STATE_RUNNING);
    }
    return status;
  }

  std::unique_ptr<FakeServer> server_;
};

// Why gRPC needs TLS here: grpc attaches call credentials (the client's
// bearer token) only to a secure channel.
TEST_F(GrpcTlsTest, CallCredentialsReachTheFakeOverTls) {
  auto with_token = ::grpc::CompositeChannelCredentials(
      TrustingTheCa(), ::grpc::AccessTokenCredentials("ya29.t0ken"));
  ::grpc::Status status = Get(with_token);
  ASSERT_TRUE(status.ok()) << status.error_code() << ": " << status.error_message();
  EXPECT_EQ(Get(TrustingTheCa()).error_code(), ::grpc::StatusCode::UNAUTHENTICATED);
  auto entries = server_->journal().Entries();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].transport, api::Transport::kGrpc);
  bool bearer = false;
  for (const auto& [name, value] : entries[0].headers) {
    bearer |= name == "authorization" && value == "Bearer ya29.t0ken";
  }
  EXPECT_TRUE(bearer);
  // Many calls on one TLS connection.
  auto channel = ::grpc::CreateChannel(server_->grpc_endpoint(), with_token);
  auto stub = v1::JobService::NewStub(channel);
  for (int i = 0; i < 20; ++i) {
    v1::ListNasJobsRequest request;
    request.set_parent(kLocation);
    v1::ListNasJobsResponse page;
    ::grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + 10s);
    ASSERT_TRUE(stub->ListNasJobs(&context, request, &page).ok());
    EXPECT_GT(page.nas_jobs_size(), 0);
  }
}

TEST_F(GrpcTlsTest, AChannelThatDoesNotTrustTheCaOrSpeaksPlaintextIsRefused) {
  EXPECT_EQ(Get(::grpc::SslCredentials({})).error_code(), ::grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(Get(::grpc::InsecureChannelCredentials()).error_code(),
            ::grpc::StatusCode::UNAVAILABLE);
  EXPECT_TRUE(server_->journal().Entries().empty());  // no call got through
}

TEST_F(GrpcTlsTest, TheClientChecksTheNameItAsksFor) {
  auto with_token =
      ::grpc::CompositeChannelCredentials(TrustingTheCa(), ::grpc::AccessTokenCredentials("t"));
  ::grpc::ChannelArguments localhost;
  localhost.SetSslTargetNameOverride("localhost");  // a name the certificate has
  EXPECT_TRUE(Get(with_token, localhost).ok());
  ::grpc::ChannelArguments other;
  other.SetSslTargetNameOverride("other.example");  // one it does not
  EXPECT_EQ(Get(with_token, other).error_code(), ::grpc::StatusCode::UNAVAILABLE);
}
}  // namespace
}  // namespace nasfake
