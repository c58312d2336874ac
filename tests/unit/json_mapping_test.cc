#include "fake/model/json_mapping.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "fake/errors.h"
#include "fake/model/json_text.h"
#include "fake/model/json_writer.h"
#include "fake/testing/status_matchers.h"

namespace nasfake::model {
namespace {

using ::nasfake::testing::IsOk;
using ::nasfake::testing::StatusIs;
using nlohmann::json;
using nlohmann::ordered_json;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(NASFAKE_SOURCE_DIR) + "/fixtures/reference/" + name,
                   std::ios::binary);
  EXPECT_TRUE(in) << "cannot open fixture " << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The error body the API answers with, built from a Status.
json ErrorBody(const Status& s) {
  json error = {{"code", HttpStatusFor(s.code())},
                {"message", s.message()},
                {"status", std::string(StatusCodeName(s.code()))}};
  if (!s.details().empty()) error["details"] = s.details();
  return {{"error", error}};
}

NasJob ParseJob(const std::string& text, std::string_view path = "") {
  auto parsed = ParseJsonText(text);
  EXPECT_THAT(parsed, IsOk());
  if (!parsed.ok()) return {};
  auto job = NasJobFromJson(*parsed, path);
  EXPECT_THAT(job, IsOk());
  return job.ok() ? *job : NasJob{};
}

Status JobError(const json& body, std::string_view path = "nas_job") {
  auto job = NasJobFromJson(body, path);
  EXPECT_THAT(job, Not(IsOk())) << "accepted: " << body.dump();
  return job.status();
}

std::string CamelToSnake(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c >= 'A' && c <= 'Z') {
      out.push_back('_');
      out.push_back(static_cast<char>(c - 'A' + 'a'));
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// Renames every key to snake_case, except inside CustomJobSpec values, Any
// values and the label keys (which are data, not field names).
json SnakeKeys(const json& v) {
  if (v.is_array()) {
    json out = json::array();
    for (const auto& e : v) out.push_back(SnakeKeys(e));
    return out;
  }
  if (!v.is_object()) return v;
  json out = json::object();
  for (auto it = v.begin(); it != v.end(); ++it) {
    const std::string& k = it.key();
    bool opaque = k == "searchTrialJobSpec" || k == "trainTrialJobSpec" || k == "labels" ||
                  k == "metadata" || k == "response" || k == "details";
    out[CamelToSnake(k)] = opaque ? it.value() : SnakeKeys(it.value());
  }
  return out;
}

// Removes the CustomJobSpec subtrees (whose key order the model does not keep).
ordered_json WithoutJobSpecs(ordered_json v) {
  if (v.is_object()) {
    v.erase("searchTrialJobSpec");
    v.erase("trainTrialJobSpec");
    for (auto& [k, e] : v.items()) e = WithoutJobSpecs(e);
  } else if (v.is_array()) {
    for (auto& e : v) e = WithoutJobSpecs(e);
  }
  return v;
}

Timestamp MakeTime(int y, unsigned mo, unsigned d, int h, int mi, int s, int us) {
  using namespace std::chrono;
  return Timestamp{sys_days{year{y} / month{mo} / day{d}}} + hours{h} + minutes{mi} + seconds{s} +
         microseconds{us};
}

// --- Fixtures round-trip ------------------------------------------------------

class NasJobFixtureTest : public ::testing::TestWithParam<const char*> {};

TEST_P(NasJobFixtureTest, ParsesAndSerialisesBackToTheSameJson) {
  const std::string text = ReadFixture(GetParam());
  NasJob job = ParseJob(text);
  EXPECT_EQ(json::parse(ToJson(job)), json::parse(text));
}

TEST_P(NasJobFixtureTest, WritesKeysInTheFixturesOrder) {
  const std::string text = ReadFixture(GetParam());
  std::string out = ToJson(ParseJob(text));
  EXPECT_EQ(WithoutJobSpecs(ordered_json::parse(out)), WithoutJobSpecs(ordered_json::parse(text)));
}

TEST_P(NasJobFixtureTest, SnakeCaseInputReadsLikeCamelCase) {
  const std::string text = ReadFixture(GetParam());
  json snake = SnakeKeys(json::parse(text));
  ASSERT_NE(snake.dump(), json::parse(text).dump());
  auto job = NasJobFromJson(snake, "nas_job");
  ASSERT_THAT(job, IsOk());
  EXPECT_EQ(*job, ParseJob(text));
}

TEST_P(NasJobFixtureTest, IntegerEnumsReadLikeNamesAndAreWrittenAsIntegers) {
  const std::string text = ReadFixture(GetParam());
  NasJob job = ParseJob(text);
  std::string ints = ToJson(job, {.enums_as_ints = true});
  json j = json::parse(ints);
  EXPECT_TRUE(j["state"].is_number_integer());
  EXPECT_EQ(j["state"], static_cast<int>(job.state));
  EXPECT_EQ(ints.find("JOB_STATE_"), std::string::npos);
  EXPECT_EQ(ints.find("MAXIMIZE"), std::string::npos);
  EXPECT_EQ(ParseJob(ints), job);
}

INSTANTIATE_TEST_SUITE_P(
    ReferenceFiles, NasJobFixtureTest,
    ::testing::Values("nasjob-state-queued.json", "nasjob-state-pending.json",
                      "nasjob-state-running.json", "nasjob-state-succeeded.json",
                      "nasjob-state-failed.json", "nasjob-state-cancelling.json",
                      "nasjob-state-cancelled.json", "nasjob-state-cancelled-before-start.json"));

TEST(NasTrialDetailJson, FixtureParsesAndSerialisesBackToTheSameJson) {
  const std::string text = ReadFixture("nastrialdetail-get-response.json");
  auto parsed = ParseJsonText(text);
  ASSERT_THAT(parsed, IsOk());
  auto detail = NasTrialDetailFromJson(*parsed, "");
  ASSERT_THAT(detail, IsOk());
  EXPECT_EQ(detail->search_trial->final_measurement->step_count, 5000);
  std::string out = ToJson(*detail);
  EXPECT_EQ(json::parse(out), json::parse(text));
  EXPECT_EQ(ordered_json::parse(out), ordered_json::parse(text));
}

TEST(NasTrialDetailJson, SnakeCaseInsideTrialsAndMeasurements) {
  json body = {{"name", "n"},
               {"search_trial",
                {{"id", "1"},
                 {"state", 4},
                 {"final_measurement",
                  {{"elapsed_duration", "1.5s"},
                   {"step_count", 7},
                   {"metrics", {{{"metric_id", "acc"}, {"value", 0.5}}}}}},
                 {"start_time", "2024-05-18T10:05:02Z"},
                 {"end_time", "2024-05-18T10:06:02Z"}}}};
  auto detail = NasTrialDetailFromJson(body, "");
  ASSERT_THAT(detail, IsOk());
  const NasTrial& t = *detail->search_trial;
  EXPECT_EQ(t.state, TrialState::kSucceeded);
  EXPECT_EQ(t.final_measurement->elapsed_duration, Duration(1500000));
  EXPECT_EQ(t.final_measurement->step_count, 7);
  EXPECT_EQ(t.final_measurement->metrics.at(0).metric_id, "acc");
  EXPECT_EQ(t.end_time, MakeTime(2024, 5, 18, 10, 6, 2, 0));
  EXPECT_EQ(ToJson(*detail),
            R"({"name":"n","searchTrial":{"id":"1","state":"SUCCEEDED","finalMeasurement":)"
            R"({"elapsedDuration":"1.500s","stepCount":"7","metrics":[{"metricId":"acc",)"
            R"("value":0.5}]},"startTime":"2024-05-18T10:05:02.000000Z",)"
            R"("endTime":"2024-05-18T10:06:02.000000Z"}})");
}

class OperationFixtureTest : public ::testing::TestWithParam<const char*> {};

TEST_P(OperationFixtureTest, ParsesAndSerialisesBackToTheSameJson) {
  const std::string text = ReadFixture(GetParam());
  auto parsed = ParseJsonText(text);
  ASSERT_THAT(parsed, IsOk());
  auto op = OperationFromJson(*parsed, "");
  ASSERT_THAT(op, IsOk());
  std::string out = ToJson(*op);
  EXPECT_EQ(json::parse(out), json::parse(text));
  EXPECT_EQ(ordered_json::parse(out), ordered_json::parse(text));
}

INSTANTIATE_TEST_SUITE_P(ReferenceFiles, OperationFixtureTest,
                         ::testing::Values("nasjob-delete-operation-done.json",
                                           "nasjob-delete-operation-in-progress.json",
                                           "operation-done-with-error.json"));

// --- Output rules ----------------------------------------------------------------

TEST(NasJobToJson, DefaultValuedFieldsAreOmitted) {
  EXPECT_EQ(ToJson(NasJob{}), "{}");
  NasJob job;
  job.nas_job_spec.emplace();
  job.nas_job_spec->multi_trial_algorithm_spec.emplace().search_trial_spec.emplace();
  job.nas_job_output.emplace();
  job.encryption_spec.emplace();
  EXPECT_EQ(ToJson(job), R"({"nasJobSpec":{"multiTrialAlgorithmSpec":{"searchTrialSpec":{}}},)"
                         R"("nasJobOutput":{"multiTrialJobOutput":{}},"encryptionSpec":{}})");
}

TEST(NasJobToJson, WritesEveryFieldInProtoOrder) {
  NasJob job;
  job.name = "projects/1/locations/l/nasJobs/2";
  job.display_name = "d";
  job.nas_job_spec.emplace().resume_nas_job_id = "9";
  job.nas_job_spec->search_space_spec = "s";
  job.state = JobState::kFailed;
  job.create_time = MakeTime(2024, 1, 2, 3, 4, 5, 6);
  job.start_time = MakeTime(2024, 1, 2, 3, 4, 5, 7);
  job.end_time = MakeTime(2024, 1, 2, 3, 4, 5, 8);
  job.update_time = MakeTime(2024, 1, 2, 3, 4, 5, 9);
  job.error = RpcStatus{13, "boom", json::array({{{"@type", "t"}}})};
  job.labels = {{"b", "2"}, {"a", "1"}};
  job.encryption_spec = EncryptionSpec{"k"};
  job.enable_restricted_image_training = true;
  job.satisfies_pzs = true;
  job.satisfies_pzi = true;
  EXPECT_EQ(ToJson(job),
            R"({"name":"projects/1/locations/l/nasJobs/2","displayName":"d",)"
            R"("nasJobSpec":{"searchSpaceSpec":"s","resumeNasJobId":"9"},)"
            R"("state":"JOB_STATE_FAILED","createTime":"2024-01-02T03:04:05.000006Z",)"
            R"("startTime":"2024-01-02T03:04:05.000007Z","endTime":"2024-01-02T03:04:05.000008Z",)"
            R"("updateTime":"2024-01-02T03:04:05.000009Z",)"
            R"("error":{"code":13,"message":"boom","details":[{"@type":"t"}]},)"
            R"("labels":{"a":"1","b":"2"},"encryptionSpec":{"kmsKeyName":"k"},)"
            R"("enableRestrictedImageTraining":true,"satisfiesPzs":true,"satisfiesPzi":true})");
  EXPECT_EQ(ParseJob(ToJson(job)), job);
}

TEST(NasJobToJson, Int64IsWrittenAsAStringAndInt32AsANumber) {
  NasJob job;
  auto& trials = job.nas_job_output.emplace().search_trials;
  trials.emplace_back().final_measurement.emplace().step_count =
      std::numeric_limits<int64_t>::max();
  trials.emplace_back().final_measurement.emplace().step_count =
      std::numeric_limits<int64_t>::min();
  job.nas_job_spec.emplace()
      .multi_trial_algorithm_spec.emplace()
      .search_trial_spec.emplace()
      .max_trial_count = -5;
  std::string out = ToJson(job);
  EXPECT_THAT(out, HasSubstr(R"("stepCount":"9223372036854775807")"));
  EXPECT_THAT(out, HasSubstr(R"("stepCount":"-9223372036854775808")"));
  EXPECT_THAT(out, HasSubstr(R"("maxTrialCount":-5)"));
  EXPECT_EQ(ParseJob(out), job);
}

TEST(NasJobToJson, EnumsAsIntsWritesNumbers) {
  NasJob job;
  job.state = JobState::kCancelled;
  auto& algo = job.nas_job_spec.emplace().multi_trial_algorithm_spec.emplace();
  algo.multi_trial_algorithm = MultiTrialAlgorithm::kGridSearch;
  algo.metric = MetricSpec{"m", GoalType::kMinimize};
  job.nas_job_output.emplace().train_trials.emplace_back().state = TrialState::kStopping;
  EXPECT_EQ(ToJson(job, {.enums_as_ints = true}),
            R"({"nasJobSpec":{"multiTrialAlgorithmSpec":{"multiTrialAlgorithm":2,)"
            R"("metric":{"metricId":"m","goal":2}}},"nasJobOutput":{"multiTrialJobOutput":)"
            R"({"trainTrials":[{"state":3}]}},"state":7})");
  EXPECT_EQ(ToJson(job),
            R"({"nasJobSpec":{"multiTrialAlgorithmSpec":{"multiTrialAlgorithm":"GRID_SEARCH",)"
            R"("metric":{"metricId":"m","goal":"MINIMIZE"}}},"nasJobOutput":)"
            R"({"multiTrialJobOutput":{"trainTrials":[{"state":"STOPPING"}]}},)"
            R"("state":"JOB_STATE_CANCELLED"})");
}

TEST(NasJobToJson, DoublesUseShortestFormAndProtoSpecialStrings) {
  NasJob job;
  auto& metrics =
      job.nas_job_output.emplace().search_trials.emplace_back().final_measurement.emplace().metrics;
  metrics = {{"a", 0.1},
             {"b", std::numeric_limits<double>::quiet_NaN()},
             {"c", std::numeric_limits<double>::infinity()},
             {"d", -std::numeric_limits<double>::infinity()},
             {"e", 0.0},
             {"f", 1e300}};
  EXPECT_EQ(ToJson(job),
            R"({"nasJobOutput":{"multiTrialJobOutput":{"searchTrials":[{"finalMeasurement":)"
            R"({"metrics":[{"metricId":"a","value":0.1},{"metricId":"b","value":"NaN"},)"
            R"({"metricId":"c","value":"Infinity"},{"metricId":"d","value":"-Infinity"},)"
            R"({"metricId":"e"},{"metricId":"f","value":1e+300}]}}]}}})");
  NasJob back = ParseJob(ToJson(job));
  const auto& m = back.nas_job_output->search_trials[0].final_measurement->metrics;
  EXPECT_TRUE(std::isnan(m[1].value));
  EXPECT_EQ(m[2].value, std::numeric_limits<double>::infinity());
  EXPECT_EQ(m[3].value, -std::numeric_limits<double>::infinity());
  EXPECT_EQ(m[5].value, 1e300);
}

TEST(NasJobToJson, CustomJobSpecIsWrittenAsStored) {
  NasJob job;
  job.nas_job_spec.emplace()
      .multi_trial_algorithm_spec.emplace()
      .train_trial_spec.emplace()
      .train_trial_job_spec = json{{"workerPoolSpecs", json::array({{{"replicaCount", "1"}}})}};
  EXPECT_EQ(ToJson(job), R"({"nasJobSpec":{"multiTrialAlgorithmSpec":{"trainTrialSpec":)"
                         R"({"trainTrialJobSpec":{"workerPoolSpecs":[{"replicaCount":"1"}]}}}}})");
}

TEST(RpcStatusToJson, CodeMessageAndDetailsWhenPresent) {
  EXPECT_EQ(ToJson(RpcStatus{1, "CANCELED"}), R"({"code":1,"message":"CANCELED"})");
  EXPECT_EQ(ToJson(RpcStatus{}), "{}");
  RpcStatus with_details{3, "bad", json::array({{{"@type", "x"}, {"k", 1}}})};
  EXPECT_EQ(ToJson(with_details), R"({"code":3,"message":"bad","details":[{"@type":"x","k":1}]})");
}

TEST(OperationToJson, DoneOnlyWhenTrueAndErrorOrResponse) {
  Operation op;
  op.name = "o";
  op.metadata = {{"@type", "m"}};
  EXPECT_EQ(ToJson(op), R"({"name":"o","metadata":{"@type":"m"}})");
  op.done = true;
  op.response = {{"@type", "type.googleapis.com/google.protobuf.Empty"}};
  EXPECT_EQ(ToJson(op), R"({"name":"o","metadata":{"@type":"m"},"done":true,)"
                        R"("response":{"@type":"type.googleapis.com/google.protobuf.Empty"}})");
  op.response = nullptr;
  op.error = RpcStatus{9, "no"};
  EXPECT_EQ(
      ToJson(op),
      R"({"name":"o","metadata":{"@type":"m"},"done":true,"error":{"code":9,"message":"no"}})");
}

TEST(TimestampJson, NineAndZeroFractionalDigitsInSixOut) {
  NasJob job = ParseJob(R"({"createTime":"2024-05-18T10:00:00.123456789Z",)"
                        R"("updateTime":"2024-05-18T10:00:00Z",)"
                        R"("startTime":"2024-05-18T12:00:00.5+02:00"})");
  EXPECT_EQ(job.create_time, MakeTime(2024, 5, 18, 10, 0, 0, 123456));
  EXPECT_EQ(job.start_time, MakeTime(2024, 5, 18, 10, 0, 0, 500000));
  EXPECT_EQ(ToJson(job), R"({"createTime":"2024-05-18T10:00:00.123456Z",)"
                         R"("startTime":"2024-05-18T10:00:00.500000Z",)"
                         R"("updateTime":"2024-05-18T10:00:00.000000Z"})");
}

// --- Input rules -------------------------------------------------------------------

TEST(NasJobFromJson, NullMeansUnset) {
  json with_nulls = {{"displayName", "d"},
                     {"name", nullptr},
                     {"labels", nullptr},
                     {"state", nullptr},
                     {"createTime", nullptr},
                     {"satisfiesPzs", nullptr},
                     {"nasJobOutput", nullptr},
                     {"nasJobSpec",
                      {{"searchSpaceSpec", nullptr},
                       {"resume_nas_job_id", "123"},
                       {"multiTrialAlgorithmSpec",
                        {{"multiTrialAlgorithm", nullptr},
                         {"metric", nullptr},
                         {"searchTrialSpec", {{"maxTrialCount", nullptr}}}}}}}};
  auto job = NasJobFromJson(with_nulls, "nas_job");
  ASSERT_THAT(job, IsOk());
  NasJob expected;
  expected.display_name = "d";
  expected.nas_job_spec.emplace().resume_nas_job_id = "123";
  expected.nas_job_spec->multi_trial_algorithm_spec.emplace().search_trial_spec.emplace();
  EXPECT_EQ(*job, expected);
  EXPECT_FALSE(job->nas_job_output.has_value());
  EXPECT_FALSE(job->nas_job_spec->multi_trial_algorithm_spec->metric.has_value());
}

TEST(NasJobFromJson, EnumsByNumberEqualEnumsByName) {
  json by_name = {
      {"state", "JOB_STATE_RUNNING"},
      {"nasJobSpec",
       {{"multiTrialAlgorithmSpec",
         {{"multiTrialAlgorithm", "GRID_SEARCH"}, {"metric", {{"goal", "MINIMIZE"}}}}}}},
      {"nasJobOutput", {{"multiTrialJobOutput", {{"searchTrials", {{{"state", "INFEASIBLE"}}}}}}}}};
  json by_number = {
      {"state", 3},
      {"nasJobSpec",
       {{"multiTrialAlgorithmSpec", {{"multiTrialAlgorithm", 2}, {"metric", {{"goal", 2}}}}}}},
      {"nasJobOutput", {{"multiTrialJobOutput", {{"searchTrials", {{{"state", 5}}}}}}}}};
  auto a = NasJobFromJson(by_name, "");
  auto b = NasJobFromJson(by_number, "");
  ASSERT_THAT(a, IsOk());
  ASSERT_THAT(b, IsOk());
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(a->state, JobState::kRunning);
  EXPECT_EQ(a->nas_job_spec->multi_trial_algorithm_spec->metric->goal, GoalType::kMinimize);
}

TEST(NasJobFromJson, NumbersAndStringsAreAcceptedForIntegers) {
  NasJob job = ParseJob(
      R"({"nasJobSpec":{"multiTrialAlgorithmSpec":{"searchTrialSpec":{"maxTrialCount":"2000",)"
      R"("maxParallelTrialCount":5.0,"maxFailedTrialCount":"-2147483648"}}},)"
      R"("nasJobOutput":{"multiTrialJobOutput":{"searchTrials":[{"finalMeasurement":)"
      R"({"stepCount":12,"metrics":[{"value":"1.25"}]}},{"finalMeasurement":)"
      R"({"stepCount":"-9223372036854775808"}}]}}})");
  const auto& s = *job.nas_job_spec->multi_trial_algorithm_spec->search_trial_spec;
  EXPECT_EQ(s.max_trial_count, 2000);
  EXPECT_EQ(s.max_parallel_trial_count, 5);
  EXPECT_EQ(s.max_failed_trial_count, std::numeric_limits<int32_t>::min());
  const auto& trials = job.nas_job_output->search_trials;
  EXPECT_EQ(trials[0].final_measurement->step_count, 12);
  EXPECT_EQ(trials[0].final_measurement->metrics[0].value, 1.25);
  EXPECT_EQ(trials[1].final_measurement->step_count, std::numeric_limits<int64_t>::min());
}

TEST(NasJobFromJson, CustomJobSpecKeysBecomeCamelCaseAndNullsAreDropped) {
  json body = {{"nas_job_spec",
                {{"multi_trial_algorithm_spec",
                  {{"search_trial_spec",
                    {{"search_trial_job_spec",
                      {{"worker_pool_specs",
                        {{{"machine_spec", {{"machine_type", "n1"}, {"accelerator_type", nullptr}}},
                          {"replica_count", "1"},
                          {"container_spec", {{"image_uri", "i"}, {"args", {"--a_b", nullptr}}}}},
                         nullptr}},
                       {"not_a_field_anyone_knows", 1},
                       {"scheduling", nullptr}}}}}}}}}};
  auto job = NasJobFromJson(body, "nas_job");
  ASSERT_THAT(job, IsOk());
  json expected = {{"workerPoolSpecs",
                    {{{"machineSpec", {{"machineType", "n1"}}},
                      {"replicaCount", "1"},
                      {"containerSpec", {{"imageUri", "i"}, {"args", {"--a_b"}}}}}}},
                   {"notAFieldAnyoneKnows", 1}};
  EXPECT_EQ(job->nas_job_spec->multi_trial_algorithm_spec->search_trial_spec->search_trial_job_spec,
            expected);
}

TEST(NasJobFromJson, ResumeBodyFromGooglesNasClientIsAccepted) {
  // vertex_nas_cli.py sends snake_case and explicit nulls when resuming.
  auto parsed = ParseJsonText(
      R"({"displayName":"r","nasJobSpec":{"resume_nas_job_id":"42","searchSpaceSpec":null,)"
      R"("multiTrialAlgorithmSpec":{"multiTrialAlgorithm":null,"metric":null,)"
      R"("searchTrialSpec":{"searchTrialJobSpec":{"workerPoolSpecs":[]},"maxTrialCount":1,)"
      R"("maxParallelTrialCount":1}}}})");
  ASSERT_THAT(parsed, IsOk());
  auto job = NasJobFromJson(*parsed, "nas_job");
  ASSERT_THAT(job, IsOk());
  EXPECT_EQ(job->nas_job_spec->resume_nas_job_id, "42");
  EXPECT_EQ(job->nas_job_spec->multi_trial_algorithm_spec->multi_trial_algorithm,
            MultiTrialAlgorithm::kUnspecified);
}

// --- Errors -------------------------------------------------------------------------

TEST(NasJobFromJsonErrors, UnknownTopLevelFieldOfTheCreateBodyMatchesTheFixture) {
  Status s = JobError({{"displayNam", "x"}}, "nas_job");
  EXPECT_EQ(ErrorBody(s), json::parse(ReadFixture("error-400-unknown-field.json")));
}

TEST(NasJobFromJsonErrors, UnknownFieldOfTheRequestMessageHasNoPath) {
  Status s = JobError({{"force", true}}, "");
  EXPECT_EQ(s, errors::UnknownField("force", ""));
  EXPECT_EQ(s.message(),
            "Invalid JSON payload received. Unknown name \"force\": Cannot find field.");
  EXPECT_FALSE(s.details()[0]["fieldViolations"][0].contains("field"));
}

TEST(NasJobFromJsonErrors, NestedUnknownFieldNamesTheSnakeCaseProtoPath) {
  Status s = JobError({{"nasJobSpec", {{"searchSpaceSpec", "x"}, {"bogus", nullptr}}}});
  const std::string message =
      "Invalid JSON payload received. Unknown name \"bogus\" at 'nas_job.nas_job_spec': Cannot "
      "find field.";
  json expected = {{"error",
                    {{"code", 400},
                     {"message", message},
                     {"status", "INVALID_ARGUMENT"},
                     {"details",
                      {{{"@type", "type.googleapis.com/google.rpc.BadRequest"},
                        {"fieldViolations",
                         {{{"field", "nas_job.nas_job_spec"}, {"description", message}}}}}}}}}};
  EXPECT_EQ(ErrorBody(s), expected);
}

TEST(NasJobFromJsonErrors, UnknownFieldPathsGoThroughEveryLevel) {
  json trials = json::array({json::object(), json::object(), {{"finalMeasurement", {{"x", 1}}}}});
  EXPECT_EQ(JobError({{"nas_job_output", {{"multiTrialJobOutput", {{"searchTrials", trials}}}}}}),
            errors::UnknownField("x",
                                 "nas_job.nas_job_output.multi_trial_job_output.search_trials[2]."
                                 "final_measurement"));
  EXPECT_EQ(JobError({{"nasJobSpec",
                       {{"multiTrialAlgorithmSpec", {{"searchTrialSpec", {{"maxTrials", 1}}}}}}}}),
            errors::UnknownField(
                "maxTrials", "nas_job.nas_job_spec.multi_trial_algorithm_spec.search_trial_spec"));
  EXPECT_EQ(JobError({{"nasJobSpec", {{"multiTrialAlgorithmSpec", {{"metric", {{"Goal", 1}}}}}}}}),
            errors::UnknownField("Goal", "nas_job.nas_job_spec.multi_trial_algorithm_spec.metric"));
  json metrics = {
      {"nasJobOutput",
       {{"multiTrialJobOutput",
         {{"trainTrials",
           {{{"finalMeasurement", {{"metrics", {{{"metricId", "a"}, {"v", 1}}}}}}}}}}}}}};
  EXPECT_EQ(JobError(metrics),
            errors::UnknownField("v",
                                 "nas_job.nas_job_output.multi_trial_job_output.train_trials[0]."
                                 "final_measurement.metrics[0]"));
  EXPECT_EQ(JobError({{"error", {{"status", "X"}}}}),
            errors::UnknownField("status", "nas_job.error"));
  EXPECT_EQ(JobError({{"encryptionSpec", {{"kms", "k"}}}}),
            errors::UnknownField("kms", "nas_job.encryption_spec"));
}

TEST(NasJobFromJsonErrors, WrongJsonTypesAreInvalidValue) {
  EXPECT_EQ(JobError({{"displayName", 123}}),
            errors::InvalidValue("nas_job.display_name", "TYPE_STRING", "123"));
  EXPECT_EQ(JobError({{"display_name", json::array({"a"})}}),
            errors::InvalidValue("nas_job.display_name", "TYPE_STRING", R"(["a"])"));
  EXPECT_EQ(JobError({{"satisfiesPzs", "true"}}),
            errors::InvalidValue("nas_job.satisfies_pzs", "TYPE_BOOL", R"("true")"));
  EXPECT_EQ(JobError({{"enableRestrictedImageTraining", 1}}),
            errors::InvalidValue("nas_job.enable_restricted_image_training", "TYPE_BOOL", "1"));
  EXPECT_EQ(JobError({{"nasJobSpec", "spec"}}),
            errors::InvalidValue("nas_job.nas_job_spec", "TYPE_MESSAGE", R"("spec")"));
  EXPECT_EQ(JobError({{"labels", json::array()}}),
            errors::InvalidValue("nas_job.labels", "TYPE_MESSAGE", "[]"));
  EXPECT_EQ(JobError({{"labels", {{"a", "1"}, {"b", 2}}}}),
            errors::InvalidValue("nas_job.labels[1].value", "TYPE_STRING", "2"));
  EXPECT_EQ(
      JobError(
          {{"nasJobOutput",
            {{"multiTrialJobOutput", {{"searchTrials", json::array({json::array({"id", 1})})}}}}}}),
      errors::InvalidValue("nas_job.nas_job_output.multi_trial_job_output.search_trials[0]",
                           "TYPE_MESSAGE", R"(["id",1])"));
  EXPECT_EQ(JobError({{"nasJobOutput", {{"multiTrialJobOutput", {{"trainTrials", {{"a", 1}}}}}}}}),
            errors::InvalidValue("nas_job.nas_job_output.multi_trial_job_output.train_trials",
                                 "TYPE_MESSAGE", R"({"a":1})"));
  EXPECT_EQ(JobError({{"nasJobOutput",
                       {{"multiTrialJobOutput", {{"searchTrials", json::array({nullptr})}}}}}}),
            errors::InvalidValue("nas_job.nas_job_output.multi_trial_job_output.search_trials[0]",
                                 "TYPE_MESSAGE", "null"));
  EXPECT_EQ(
      JobError(
          {{"nasJobSpec",
            {{"multiTrialAlgorithmSpec", {{"trainTrialSpec", {{"trainTrialJobSpec", "x"}}}}}}}}),
      errors::InvalidValue(
          "nas_job.nas_job_spec.multi_trial_algorithm_spec.train_trial_spec.train_trial_job_spec",
          "TYPE_MESSAGE", R"("x")"));
  EXPECT_EQ(JobError({{"error", {{"details", {1}}}}}),
            errors::InvalidValue("nas_job.error.details[0]", "TYPE_MESSAGE", "1"));
}

TEST(NasJobFromJsonErrors, IntegersAreRangeCheckedAndMustBeIntegral) {
  auto search = [](json value) {
    return json{{"nasJobSpec",
                 {{"multiTrialAlgorithmSpec", {{"searchTrialSpec", {{"maxTrialCount", value}}}}}}}};
  };
  const std::string path =
      "nas_job.nas_job_spec.multi_trial_algorithm_spec.search_trial_spec."
      "max_trial_count";
  EXPECT_EQ(JobError(search(2147483648LL)), errors::InvalidValue(path, "TYPE_INT32", "2147483648"));
  EXPECT_EQ(JobError(search("2147483648")),
            errors::InvalidValue(path, "TYPE_INT32", R"("2147483648")"));
  EXPECT_EQ(JobError(search(1.5)), errors::InvalidValue(path, "TYPE_INT32", "1.5"));
  EXPECT_EQ(JobError(search("abc")), errors::InvalidValue(path, "TYPE_INT32", R"("abc")"));
  EXPECT_EQ(JobError(search("")), errors::InvalidValue(path, "TYPE_INT32", R"("")"));
  EXPECT_EQ(JobError(search(" 1")), errors::InvalidValue(path, "TYPE_INT32", R"(" 1")"));
  EXPECT_EQ(JobError(search(true)), errors::InvalidValue(path, "TYPE_INT32", "true"));
  json step = {
      {"nasJobOutput",
       {{"multiTrialJobOutput",
         {{"searchTrials", {{{"finalMeasurement", {{"stepCount", "9223372036854775808"}}}}}}}}}}};
  EXPECT_EQ(JobError(step),
            errors::InvalidValue("nas_job.nas_job_output.multi_trial_job_output.search_trials[0]."
                                 "final_measurement.step_count",
                                 "TYPE_INT64", R"("9223372036854775808")"));
  json value = {
      {"nasJobOutput",
       {{"multiTrialJobOutput",
         {{"searchTrials", {{{"finalMeasurement", {{"metrics", {{{"value", "inf"}}}}}}}}}}}}}};
  EXPECT_EQ(JobError(value),
            errors::InvalidValue("nas_job.nas_job_output.multi_trial_job_output.search_trials[0]."
                                 "final_measurement.metrics[0].value",
                                 "TYPE_DOUBLE", R"("inf")"));
}

TEST(NasJobFromJsonErrors, UnknownEnumNamesAndNumbersAreInvalidValue) {
  EXPECT_EQ(JobError({{"state", "RUNNING"}}),
            errors::InvalidValue("nas_job.state", "TYPE_ENUM", R"("RUNNING")"));
  EXPECT_EQ(JobError({{"state", 12}}), errors::InvalidValue("nas_job.state", "TYPE_ENUM", "12"));
  EXPECT_EQ(JobError({{"state", -1}}), errors::InvalidValue("nas_job.state", "TYPE_ENUM", "-1"));
  EXPECT_EQ(JobError({{"state", 1.0}}), errors::InvalidValue("nas_job.state", "TYPE_ENUM", "1.0"));
  EXPECT_EQ(JobError({{"nasJobSpec",
                       {{"multiTrialAlgorithmSpec", {{"metric", {{"goal", "maximize"}}}}}}}}),
            errors::InvalidValue("nas_job.nas_job_spec.multi_trial_algorithm_spec.metric.goal",
                                 "TYPE_ENUM", R"("maximize")"));
}

TEST(NasJobFromJsonErrors, MalformedTimestampsAndDurationsUseGooglesWording) {
  Status s = JobError({{"createTime", "2024-05-18T10:00:00"}});
  EXPECT_EQ(
      s.message(),
      "Invalid value at 'nas_job.create_time' "
      "(type.googleapis.com/google.protobuf.Timestamp), Field 'createTime', Illegal timestamp "
      "format; timestamps must end with 'Z' or have a valid timezone offset.");
  EXPECT_EQ(s.details()[0]["fieldViolations"][0]["field"], "nas_job.create_time");
  EXPECT_THAT(JobError({{"end_time", "2024-13-18T10:00:00Z"}}).message(),
              HasSubstr("'nas_job.end_time' (type.googleapis.com/google.protobuf.Timestamp), Field "
                        "'endTime', Invalid time format"));
  EXPECT_THAT(
      JobError({{"updateTime", 1716026400}}).message(),
      HasSubstr("Field 'updateTime', Invalid data type for timestamp, value is 1716026400"));
  json duration = {{"nasJobOutput",
                    {{"multiTrialJobOutput",
                      {{"searchTrials", {{{"finalMeasurement", {{"elapsedDuration", "10"}}}}}}}}}}};
  EXPECT_THAT(JobError(duration).message(),
              HasSubstr("final_measurement.elapsed_duration' "
                        "(type.googleapis.com/google.protobuf.Duration), Field 'elapsedDuration', "
                        "Illegal duration format; duration must end with 's'"));
}

TEST(NasJobFromJsonErrors, NonObjectRootIsRootNotObjectOrInvalidValue) {
  EXPECT_EQ(NasJobFromJson(json::array(), "").status(), errors::RootNotObject());
  EXPECT_EQ(NasJobFromJson("x", "").status(), errors::RootNotObject());
  EXPECT_EQ(NasJobFromJson(5, "nas_job").status(),
            errors::InvalidValue("nas_job", "TYPE_MESSAGE", "5"));
  EXPECT_EQ(OperationFromJson(nullptr, "").status(), errors::RootNotObject());
  EXPECT_EQ(NasTrialDetailFromJson(true, "").status(), errors::RootNotObject());
}

TEST(OperationFromJsonErrors, UnknownFieldsAndAnyValuesMustBeObjects) {
  EXPECT_EQ(OperationFromJson({{"name", "o"}, {"result", 1}}, "").status(),
            errors::UnknownField("result", ""));
  EXPECT_EQ(OperationFromJson({{"metadata", "m"}}, "").status(),
            errors::InvalidValue("metadata", "TYPE_MESSAGE", R"("m")"));
  EXPECT_EQ(OperationFromJson({{"error", {{"code", "x"}}}}, "").status(),
            errors::InvalidValue("error.code", "TYPE_INT32", R"("x")"));
}

TEST(OperationFromJsonErrors, ErrorAndResponseTogetherBreakTheOneof) {
  json any = {{"@type", "type.googleapis.com/google.protobuf.Empty"}};
  EXPECT_EQ(OperationFromJson({{"error", {{"code", 4}}}, {"response", any}}, "").status(),
            errors::OneofAlreadySet("result", "response"));
  // null is unset in proto3 JSON: either member may be null beside the other.
  EXPECT_THAT(OperationFromJson({{"error", {{"code", 4}}}, {"response", nullptr}}, ""), IsOk());
  EXPECT_THAT(OperationFromJson({{"error", nullptr}, {"response", any}}, ""), IsOk());
}

// --- JsonWriter -------------------------------------------------------------------

TEST(JsonWriter, EscapesPerRfc8259) {
  JsonWriter w;
  w.BeginObject();
  w.Key("k\"\\");
  w.String(std::string("a\"b\\c/\b\f\n\r\t\x01\x1f\x7f", 14) + std::string(1, '\0') + "é€😀");
  w.Key("n");
  w.BeginArray();
  w.Int(-1);
  w.Uint(18446744073709551615ULL);
  w.Double(2.5);
  w.Bool(false);
  w.Null();
  w.RawValue(R"({"x":1})");
  w.EndArray();
  w.EndObject();
  EXPECT_EQ(w.str(),
            "{\"k\\\"\\\\\":\"a\\\"b\\\\c/\\b\\f\\n\\r\\t\\u0001\\u001f\x7f\\u0000é€😀\","
            "\"n\":[-1,18446744073709551615,2.5,false,null,{\"x\":1}]}");
  EXPECT_EQ(json::parse(w.str())["k\"\\"],
            std::string("a\"b\\c/\b\f\n\r\t\x01\x1f\x7f", 14) + std::string(1, '\0') + "é€😀");
}

TEST(JsonWriter, InvalidUtf8IsWrittenAsReplacementCharacters) {
  std::string out;
  AppendJsonString(out,
                   "a\xC0\x80"
                   "b\xED\xA0\x80"
                   "c\xF4\x90\x80\x80"
                   "d\xE2\x82");
  EXPECT_EQ(out, "\"a\uFFFD\uFFFDb\uFFFD\uFFFD\uFFFDc\uFFFD\uFFFD\uFFFD\uFFFDd\uFFFD\uFFFD\"");
  json parsed;
  EXPECT_NO_THROW(parsed = json::parse(out));
}

// --- ParseJsonText -------------------------------------------------------------------

Status ParseError(std::string_view text) {
  auto parsed = ParseJsonText(text);
  EXPECT_THAT(parsed,
              StatusIs(StatusCode::kInvalidArgument, StartsWith("Invalid JSON payload received. ")))
      << "accepted: " << text;
  return parsed.status();
}

std::string Nested(int depth, char open = '[', char close = ']') {
  return std::string(static_cast<size_t>(depth), open) +
         std::string(static_cast<size_t>(depth), close);
}

TEST(ParseJsonText, MissingCommaIsReportedWithSnippetAndCaret) {
  Status s = ParseError("{\n  \"displayName\": \"x\"\n  \"labels\": {}\n}");
  EXPECT_EQ(s,
            errors::MalformedJson("Expected , or } after key:value pair.", "  \"labels\": {}", 2));
  EXPECT_EQ(s.message(),
            "Invalid JSON payload received. Expected , or } after key:value pair.\n"
            "  \"labels\": {}\n  ^");
  EXPECT_TRUE(s.details().empty());
}

TEST(ParseJsonText, ReasonsFollowGooglesParser) {
  EXPECT_EQ(ParseError(R"({"a":})"), errors::MalformedJson("Unexpected token.", R"({"a":})", 5));
  EXPECT_EQ(ParseError(R"({"a" 1})"),
            errors::MalformedJson("Expected : between key:value pair.", R"({"a" 1})", 5));
  EXPECT_EQ(ParseError(R"({"a":1,2})"),
            errors::MalformedJson("Expected an object key or }.", R"({"a":1,2})", 7));
  EXPECT_EQ(ParseError(R"({"a":#})"), errors::MalformedJson("Expected a value.", R"({"a":#})", 5));
  EXPECT_EQ(ParseError(R"([1 2])"),
            errors::MalformedJson("Expected , or ] after array value.", "[1 2]", 3));
  EXPECT_EQ(ParseError(R"({"a":tru})"),
            errors::MalformedJson("Unexpected token.", R"({"a":tru})", 5));
  EXPECT_EQ(
      ParseError(R"({"a":01})"),
      errors::MalformedJson("Octal/hex numbers are not valid JSON values.", R"({"a":01})", 5));
  EXPECT_EQ(ParseError(R"({"a":"\x"})"),
            errors::MalformedJson("Invalid escape sequence.", R"({"a":"\x"})", 6));
  EXPECT_EQ(ParseError(R"({"a":"\ud800"})"),
            errors::MalformedJson("Missing low surrogate.", R"({"a":"\ud800"})", 6));
  EXPECT_EQ(ParseError(R"({} {})"),
            errors::MalformedJson("Parsing terminated before end of input.", "{} {}", 3));
}

TEST(ParseJsonText, EndOfInputSaysUnexpectedEndOfString) {
  EXPECT_EQ(ParseError(""),
            errors::MalformedJson("Unexpected end of string. Expected a value.", "", 0));
  EXPECT_EQ(ParseError("").message(),
            "Invalid JSON payload received. Unexpected end of string. Expected a value.");
  EXPECT_EQ(ParseError("  \n "),
            errors::MalformedJson("Unexpected end of string. Expected a value.", "", 0));
  EXPECT_EQ(ParseError("{\"a\":\n"),
            errors::MalformedJson("Unexpected end of string. Expected a value.", "{\"a\":", 5));
  EXPECT_EQ(ParseError("{\"a\":1"),
            errors::MalformedJson("Unexpected end of string. Expected , or } after key:value pair.",
                                  "{\"a\":1", 6));
  EXPECT_EQ(ParseError("{\"a\":\"x"),
            errors::MalformedJson("Closing quote expected in string.", "{\"a\":\"x", 5));
}

TEST(ParseJsonText, SnippetIsCutToFortyCharactersEachSideOnTheErrorLine) {
  std::string before(60, 'a'), after(60, 'b');
  std::string text = "[1,\n\"" + before + "\" \"" + after + "\"]";
  Status s = ParseError(text);
  // Error at the second string: 40 bytes of context before it, 40 from it.
  std::string expected_snippet = (before + "\" ").substr(22) + ("\"" + after).substr(0, 40);
  EXPECT_EQ(s, errors::MalformedJson("Expected , or ] after array value.", expected_snippet, 40));
}

TEST(ParseJsonText, SnippetNeverSplitsACharacter) {
  // The 40-byte window before the error starts inside "é": the snippet starts after it.
  Status before = ParseError("[\"é" + std::string(37, 'x') + "\" 1]");
  EXPECT_EQ(before, errors::MalformedJson("Expected , or ] after array value.",
                                          std::string(37, 'x') + "\" 1]", 39));
  // The 40-byte window after the error ends inside "é": the snippet stops before it.
  Status after = ParseError("[1 \"" + std::string(38, 'x') + "é\"]");
  EXPECT_EQ(after, errors::MalformedJson("Expected , or ] after array value.",
                                         "[1 \"" + std::string(38, 'x'), 3));
  EXPECT_NO_THROW((void)json(before.message()).dump());
}

TEST(ParseJsonText, DepthOfOneHundredIsAcceptedAndOneHundredAndOneRejected) {
  EXPECT_THAT(ParseJsonText(Nested(100)), IsOk());
  std::string objects;
  for (int i = 0; i < 100; ++i) objects += "{\"a\":";
  objects += "1" + std::string(100, '}');
  EXPECT_THAT(ParseJsonText(objects), IsOk());

  Status s = ParseError(Nested(101));
  EXPECT_THAT(s.message(), HasSubstr("Message too deep. Max recursion depth reached"));
  Status o = ParseError("{\"k\":" + objects + "}");
  EXPECT_THAT(o.message(), HasSubstr("Max recursion depth reached for key 'a'"));
}

TEST(ParseJsonText, VeryDeepInputIsRejectedQuickly) {
  auto start = std::chrono::steady_clock::now();
  Status s = ParseError(Nested(100000));
  Status t = ParseError(std::string(100000, '['));
  Status u = ParseError(std::string(1000000, '{'));
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_THAT(s.message(), HasSubstr("Message too deep"));
  EXPECT_THAT(u.message(), HasSubstr("Expected an object key or }."));
  EXPECT_LT(elapsed, std::chrono::seconds(2));
}

TEST(ParseJsonText, InvalidUtf8IsRejectedInsideAndOutsideStrings) {
  EXPECT_EQ(ParseError("{\"a\":\"x\xC3\"}").message(),
            "Invalid JSON payload received. Encountered non UTF-8 code points.\n"
            "{\"a\":\"x\uFFFD\"}\n       ^");
  EXPECT_THAT(ParseError("{\"a\xFF\":1}").message(), HasSubstr("non UTF-8"));
  EXPECT_THAT(ParseError("{\"a\":\"\xED\xA0\x80\"}").message(), HasSubstr("non UTF-8"));
  EXPECT_THAT(ParseError("{\"a\":\"\xC0\xAF\"}").message(), HasSubstr("non UTF-8"));
  Status outside = ParseError("{\"a\":1\xFF}");
  EXPECT_THAT(outside.message(), HasSubstr("Expected , or } after key:value pair."));
  EXPECT_NO_THROW((void)json(outside.message()).dump());
  EXPECT_THAT(ParseJsonText("{\"a\":\"é€😀\"}"), IsOk());
}

TEST(ParseJsonText, RawControlCharactersInStringsAreRefused) {
  // RFC 8259 §7: U+0000..U+001F must be escaped inside a string (a key too).
  for (int c = 0; c < 0x20; ++c) {
    std::string value = std::string("{\"a\":\"x") + static_cast<char>(c) + "y\"}";
    Status s = ParseError(value);
    EXPECT_THAT(s.message(),
                StartsWith("Invalid JSON payload received. Invalid control character in string."))
        << c;
    std::string key = std::string("{\"a") + static_cast<char>(c) + "\":1}";
    EXPECT_THAT(ParseError(key).message(), HasSubstr("Invalid control character in string.")) << c;
  }
  // The caret is at the character (shown as a space); a newline ends the snippet's line.
  EXPECT_EQ(ParseError("{\"a\":\"x\ty\"}").message(),
            "Invalid JSON payload received. Invalid control character in string.\n"
            "{\"a\":\"x y\"}\n       ^");
  EXPECT_EQ(ParseError("{\"a\":\"x\ny\"}").message(),
            "Invalid JSON payload received. Invalid control character in string.\n"
            "{\"a\":\"x\n       ^");
  // Escaped they are fine, and so is DEL (U+007F is not a control character to RFC 8259).
  auto escaped = ParseJsonText(R"({"displayName":"a\u0000b\t\n"})");
  ASSERT_THAT(escaped, IsOk());
  NasJob job = *NasJobFromJson(*escaped, "");
  EXPECT_EQ(job.display_name, std::string("a\0b\t\n", 5));
  EXPECT_EQ(ToJson(job), R"({"displayName":"a\u0000b\t\n"})");
  EXPECT_THAT(ParseJsonText("{\"a\":\"x\x7Fy\"}"), IsOk());
  // Outside strings they are no whitespace either.
  EXPECT_THAT(ParseError(std::string("{\"a\":1\0}", 8)).message(),
              HasSubstr("Expected , or } after key:value pair."));
}

// Every point of README "Decisions" (JSON text): each is refused with the
// reason libprotobuf 3.21's parser gives where it refuses it too.
TEST(ParseJsonText, IsStrictRfc8259) {
  struct Case {
    std::string text;
    std::string reason;  // "" = accepted
  };
  const std::vector<Case> cases = {
      // \u escapes: lone and mismatched surrogates, short or non-hex escapes.
      {R"(["\ud800"])", "Missing low surrogate."},
      {R"(["\ud800x"])", "Missing low surrogate."},
      {R"(["\udc00"])", "Invalid unicode code point."},
      {R"(["\ud800\u0041"])", "Invalid low surrogate."},
      {R"(["\ud800\ud800"])", "Invalid low surrogate."},
      {R"(["\ud83d\ude00"])", ""},
      {R"(["\x41"])", "Invalid escape sequence."},
      {R"(["\'"])", "Invalid escape sequence."},
      {R"(["\u12"])", "Invalid escape sequence."},
      {R"(["\u12zz"])", "Invalid escape sequence."},
      {R"("\u12)", "Illegal hex string."},
      // Numbers.
      {"[01]", "Octal/hex numbers are not valid JSON values."},
      {"[-01]", "Octal/hex numbers are not valid JSON values."},
      {"[00]", "Octal/hex numbers are not valid JSON values."},
      {"[01.5]", "Octal/hex numbers are not valid JSON values."},
      {"[0x1]", "Octal/hex numbers are not valid JSON values."},
      {"[+1]", "Expected a value or ] within an array."},
      {"[-]", "Unable to parse number."},
      {"[1.]", "Unable to parse number."},
      {"[.5]", "Expected a value or ] within an array."},
      {"[1e]", "Unable to parse number."},
      {"[1e+]", "Unable to parse number."},
      {"[NaN]", "Unexpected token."},
      {"[Infinity]", "Unexpected token."},
      {"[-Infinity]", "Unable to parse number."},
      {"[-0,0,0.5,1e5,1E-5,-1.5e+3]", ""},
      {"[1e400]", "Number exceeds the range of double."},
      {"[-1.8e308]", "Number exceeds the range of double."},
      {"[" + std::string(400, '9') + "]", "Number exceeds the range of double."},
      {"[1.7976931348623157e308,1e-400,0e99999999999999999999,0.000e400]", ""},
      // Trailing commas.
      {R"({"a":1,})", "Expected an object key."},
      {"[1,]", "Expected a value."},
      {R"({"a":[1,],"b":2})", "Expected a value."},
      {"[1,,]", "Unexpected token."},
      {"{,}", "Expected an object key or }."},
      {R"({"a":1,)", "Unexpected end of string. Expected an object key or }."},
      {"[1,", "Unexpected end of string. Expected a value or ] within an array."},
      // Whitespace: only space, tab, LF, CR.
      {"\xEF\xBB\xBF{}", "Expected a value."},  // a BOM
      {"{\f}", "Expected an object key or }."},
      {"[\v1]", "Expected a value or ] within an array."},
      {"{\xC2\xA0}", "Expected an object key or }."},  // U+00A0
      {" \t\r\n{ \t\r\n} \t\r\n", ""},
      // Top level: any value is JSON text (the handlers then want an object).
      {"1", ""},
      {R"("x")", ""},
      {"null", ""},
      {"", "Unexpected end of string. Expected a value."},
      // Duplicate keys are JSON (RFC 8259 §4: names SHOULD be unique).
      {R"({"a":1,"a":2})", ""},
  };
  for (const Case& c : cases) {
    auto parsed = ParseJsonText(c.text);
    if (c.reason.empty()) {
      EXPECT_TRUE(parsed.ok()) << c.text << ": " << parsed.status().message();
      continue;
    }
    ASSERT_FALSE(parsed.ok()) << c.text;
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument) << c.text;
    EXPECT_THAT(parsed.status().message(), StartsWith("Invalid JSON payload received. " + c.reason))
        << c.text;
    // The reason is all of the first line.
    std::string_view message = parsed.status().message();
    EXPECT_EQ(message.substr(0, message.find('\n')), "Invalid JSON payload received. " + c.reason)
        << c.text;
  }
}

TEST(ParseJsonText, DuplicateKeysLastOneWinsAsInProtobufsParser) {
  auto parsed = ParseJsonText(R"({"a":1,"a":2})");
  ASSERT_THAT(parsed, IsOk());
  EXPECT_EQ(*parsed, (json{{"a", 2}}));
  auto job = NasJobFromJson(*ParseJsonText(R"({"displayName":"a","displayName":"b"})"), "");
  ASSERT_THAT(job, IsOk());
  EXPECT_EQ(job->display_name, "b");
}

TEST(ParseJsonText, AcceptsEveryKindOfValue) {
  auto parsed = ParseJsonText(
      " {\"s\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\",\"n\":[-0,1.5e-3,1E+2,0],"
      "\"t\":true,\"f\":false,\"z\":null,\"o\":{},\"a\":[]} ");
  ASSERT_THAT(parsed, IsOk());
  EXPECT_EQ((*parsed)["s"], "\"\\/\b\f\n\r\té😀");
  EXPECT_EQ((*parsed)["n"][1], 0.0015);
  EXPECT_TRUE((*parsed)["z"].is_null());
}

}  // namespace
}  // namespace nasfake::model
