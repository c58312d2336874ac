// The project's .proto files (proto/) against the published googleapis definitions: every
// message, enum and service method we define must be wire-compatible with the published one
// (same full names, field numbers, names, types, labels, oneofs, maps, enum values). And the
// reference JSON fixtures must go through the generated messages and come back unchanged.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/empty.pb.h>
#include <google/protobuf/message.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "google/cloud/aiplatform/v1/job_service.pb.h"
#include "google/cloud/aiplatform/v1/nas_job.pb.h"
#include "google/cloud/aiplatform/v1/operation.pb.h"
#include "google/longrunning/operations.pb.h"
#include "google/rpc/code.pb.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace nasfake::proto_test {
namespace {

namespace pb = google::protobuf;
namespace fs = std::filesystem;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// A descriptor set (protoc --include_imports) built into a pool; the error says why not.
struct LoadedSet {
  std::unique_ptr<pb::DescriptorPool> pool;
  std::vector<std::string> files;  // in the order protoc wrote them
  std::string error;
};

LoadedSet Load(const std::string& path) {
  LoadedSet loaded;
  if (path.empty() || !fs::exists(path)) {
    loaded.error = "no descriptor set at '" + path + "'";
    return loaded;
  }
  pb::FileDescriptorSet set;
  if (!set.ParseFromString(ReadFile(path))) {
    loaded.error = "cannot parse the descriptor set " + path;
    return loaded;
  }
  loaded.pool = std::make_unique<pb::DescriptorPool>();
  for (const pb::FileDescriptorProto& file : set.file()) {
    if (loaded.pool->BuildFile(file) == nullptr) {
      loaded.error = "cannot build " + file.name() + " from " + path;
      loaded.pool.reset();
      return loaded;
    }
    loaded.files.push_back(file.name());
  }
  return loaded;
}

// Ours: every file of the set but the well-known types it imports.
bool IsOurFile(const std::string& name) { return name.rfind("google/protobuf/", 0) != 0; }

std::set<std::string> StubFiles() {
  std::set<std::string> stubs;
  std::string_view list = NASFAKE_PUBLISHED_STUBS;
  while (!list.empty()) {
    size_t comma = list.find(',');
    stubs.emplace(list.substr(0, comma));
    list = comma == std::string_view::npos ? "" : list.substr(comma + 1);
  }
  return stubs;
}

std::string TypeNameOf(const pb::FieldDescriptor* field) {
  if (field->message_type() != nullptr) return field->message_type()->full_name();
  if (field->enum_type() != nullptr) return field->enum_type()->full_name();
  return "";
}

std::string OneofOf(const pb::FieldDescriptor* field) {
  const pb::OneofDescriptor* oneof = field->real_containing_oneof();
  return oneof == nullptr ? "(none)" : oneof->name();
}

std::string Bool(bool value) { return value ? "yes" : "no"; }

// Our descriptor set and the published one, loaded once for every test.
class ProtoCompatTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (ours_ != nullptr) return;
    ours_ = new LoadedSet(Load(NASFAKE_PROTO_DESCRIPTOR_SET));
    std::string published_path = NASFAKE_PUBLISHED_DESCRIPTOR_SET;
    if (published_path.empty()) {
      published_ = new LoadedSet();
      published_->error = std::string("the published definitions are not there: ") +
                          NASFAKE_SHARED_DIR +
                          "/api/protos was absent when CMake ran (a copy of shared/ beside the "
                          "clone; set NASFAKE_SHARED_DIR and re-run CMake)";
    } else {
      published_ = new LoadedSet(Load(published_path));
    }
  }
  void SetUp() override { ASSERT_NE(ours_->pool, nullptr) << ours_->error; }

  // Every message of our files, nested ones (map entries too) included.
  static std::vector<const pb::Descriptor*> OurMessages() {
    std::vector<const pb::Descriptor*> messages;
    std::vector<const pb::Descriptor*> work;
    for (const std::string& name : ours_->files) {
      if (!IsOurFile(name)) continue;
      const pb::FileDescriptor* file = ours_->pool->FindFileByName(name);
      for (int i = 0; i < file->message_type_count(); ++i) work.push_back(file->message_type(i));
    }
    while (!work.empty()) {
      const pb::Descriptor* message = work.back();
      work.pop_back();
      messages.push_back(message);
      for (int i = 0; i < message->nested_type_count(); ++i)
        work.push_back(message->nested_type(i));
    }
    std::sort(messages.begin(), messages.end(),
              [](auto* a, auto* b) { return a->full_name() < b->full_name(); });
    return messages;
  }

  static std::vector<const pb::EnumDescriptor*> OurEnums() {
    std::vector<const pb::EnumDescriptor*> enums;
    for (const std::string& name : ours_->files) {
      if (!IsOurFile(name)) continue;
      const pb::FileDescriptor* file = ours_->pool->FindFileByName(name);
      for (int i = 0; i < file->enum_type_count(); ++i) enums.push_back(file->enum_type(i));
    }
    for (const pb::Descriptor* message : OurMessages()) {
      for (int i = 0; i < message->enum_type_count(); ++i) enums.push_back(message->enum_type(i));
    }
    return enums;
  }

  // Whether `file` (of the published pool) is one of tests/proto/published_stubs/.
  static bool IsStub(const pb::FileDescriptor* file) { return StubFiles().count(file->name()) > 0; }

  static LoadedSet* ours_;
  static LoadedSet* published_;
};

LoadedSet* ProtoCompatTest::ours_ = nullptr;
LoadedSet* ProtoCompatTest::published_ = nullptr;

// The tests that need the published definitions: skipped, saying why, without them.
class PublishedCompatTest : public ProtoCompatTest {
 protected:
  void SetUp() override {
    ProtoCompatTest::SetUp();
    if (std::string(NASFAKE_PUBLISHED_DESCRIPTOR_SET).empty()) GTEST_SKIP() << published_->error;
    ASSERT_NE(published_->pool, nullptr) << published_->error;
  }
};

// Guards the other tests against passing by comparing nothing.
TEST_F(ProtoCompatTest, OurDescriptorSetHoldsTheNasTree) {
  EXPECT_GE(OurMessages().size(), 60u);
  EXPECT_GE(OurEnums().size(), 8u);
  for (const char* name :
       {"google.cloud.aiplatform.v1.NasJob", "google.cloud.aiplatform.v1.NasTrialDetail",
        "google.cloud.aiplatform.v1.CustomJobSpec", "google.longrunning.Operation",
        "google.rpc.Status", "google.rpc.ErrorInfo", "google.rpc.LocalizedMessage"}) {
    EXPECT_NE(ours_->pool->FindMessageTypeByName(name), nullptr) << name;
  }
}

TEST_F(PublishedCompatTest, EveryMessageMatchesThePublishedOne) {
  for (const pb::Descriptor* ours : OurMessages()) {
    const std::string& name = ours->full_name();
    const pb::Descriptor* published = published_->pool->FindMessageTypeByName(name);
    if (published == nullptr) {
      ADD_FAILURE() << "message " << name << " (" << ours->file()->name()
                    << ") is not in the published definitions";
      continue;
    }
    if (IsStub(published->file())) {
      ADD_FAILURE() << "message " << name << " is only in the stand-in "
                    << published->file()->name() << ", not a published file";
      continue;
    }
    if (ours->options().map_entry() != published->options().map_entry()) {
      ADD_FAILURE() << "message " << name << ": map entry " << Bool(ours->options().map_entry())
                    << " here, " << Bool(published->options().map_entry()) << " published";
    }
    for (int i = 0; i < ours->field_count(); ++i) {
      const pb::FieldDescriptor* field = ours->field(i);
      std::string where =
          name + " field " + std::to_string(field->number()) + " (" + field->name() + ")";
      const pb::FieldDescriptor* theirs = published->FindFieldByNumber(field->number());
      if (theirs == nullptr) {
        ADD_FAILURE() << where << ": the published " << name << " has no field " << field->number();
        continue;
      }
      if (field->name() != theirs->name()) {
        ADD_FAILURE() << where << ": named '" << theirs->name() << "' in the published API";
      }
      if (field->type() != theirs->type()) {
        ADD_FAILURE() << where << ": type " << field->type_name() << " here, "
                      << theirs->type_name() << " published";
      }
      if (field->label() != theirs->label()) {
        ADD_FAILURE() << where << ": label " << field->label() << " here, " << theirs->label()
                      << " published (1 optional, 2 required, 3 repeated)";
      }
      if (field->has_optional_keyword() != theirs->has_optional_keyword()) {
        ADD_FAILURE() << where << ": proto3 'optional' " << Bool(field->has_optional_keyword())
                      << " here, " << Bool(theirs->has_optional_keyword()) << " published";
      }
      if (TypeNameOf(field) != TypeNameOf(theirs)) {
        ADD_FAILURE() << where << ": type_name '" << TypeNameOf(field) << "' here, '"
                      << TypeNameOf(theirs) << "' published";
      }
      if (OneofOf(field) != OneofOf(theirs)) {
        ADD_FAILURE() << where << ": oneof " << OneofOf(field) << " here, " << OneofOf(theirs)
                      << " published";
      }
      if (field->is_map() != theirs->is_map()) {
        ADD_FAILURE() << where << ": map " << Bool(field->is_map()) << " here, "
                      << Bool(theirs->is_map()) << " published";
      }
      if (field->is_packed() != theirs->is_packed()) {
        ADD_FAILURE() << where << ": packed " << Bool(field->is_packed()) << " here, "
                      << Bool(theirs->is_packed()) << " published";
      }
      if (field->json_name() != theirs->json_name()) {
        ADD_FAILURE() << where << ": JSON name '" << field->json_name() << "' here, '"
                      << theirs->json_name() << "' published";
      }
    }
    for (int i = 0; i < published->field_count(); ++i) {
      const pb::FieldDescriptor* theirs = published->field(i);
      if (ours->FindFieldByNumber(theirs->number()) == nullptr) {
        ADD_FAILURE() << name << ": published field " << theirs->number() << " (" << theirs->name()
                      << ") is missing here";
      }
    }
  }
}

TEST_F(PublishedCompatTest, EveryEnumMatchesThePublishedOne) {
  for (const pb::EnumDescriptor* ours : OurEnums()) {
    const std::string& name = ours->full_name();
    const pb::EnumDescriptor* published = published_->pool->FindEnumTypeByName(name);
    if (published == nullptr) {
      ADD_FAILURE() << "enum " << name << " (" << ours->file()->name()
                    << ") is not in the published definitions";
      continue;
    }
    if (IsStub(published->file())) {
      ADD_FAILURE() << "enum " << name << " is only in the stand-in " << published->file()->name();
      continue;
    }
    for (int i = 0; i < ours->value_count(); ++i) {
      const pb::EnumValueDescriptor* value = ours->value(i);
      const pb::EnumValueDescriptor* theirs = published->FindValueByName(value->name());
      if (theirs == nullptr) {
        ADD_FAILURE() << "enum " << name << ": value " << value->name() << " = " << value->number()
                      << " is not published";
      } else if (theirs->number() != value->number()) {
        ADD_FAILURE() << "enum " << name << ": " << value->name() << " = " << value->number()
                      << " here, " << theirs->number() << " published";
      }
    }
    for (int i = 0; i < published->value_count(); ++i) {
      const pb::EnumValueDescriptor* theirs = published->value(i);
      if (ours->FindValueByName(theirs->name()) == nullptr) {
        ADD_FAILURE() << "enum " << name << ": published value " << theirs->name() << " = "
                      << theirs->number() << " is missing here";
      }
    }
  }
}

TEST_F(PublishedCompatTest, ServicesHaveExactlyTheirMethodsAsPublished) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> expected = {
      {"google.cloud.aiplatform.v1.JobService",
       {"CreateNasJob", "GetNasJob", "ListNasJobs", "DeleteNasJob", "CancelNasJob",
        "GetNasTrialDetail", "ListNasTrialDetails"}},
      {"google.longrunning.Operations",
       {"ListOperations", "GetOperation", "DeleteOperation", "CancelOperation", "WaitOperation"}},
  };
  size_t services = 0;
  for (const std::string& name : ours_->files) {
    if (IsOurFile(name)) services += ours_->pool->FindFileByName(name)->service_count();
  }
  EXPECT_EQ(services, expected.size()) << "our files define other services than these";
  for (const auto& [service_name, methods] : expected) {
    const pb::ServiceDescriptor* ours = ours_->pool->FindServiceByName(service_name);
    const pb::ServiceDescriptor* published = published_->pool->FindServiceByName(service_name);
    ASSERT_NE(ours, nullptr) << "service " << service_name << " is not in our files";
    ASSERT_NE(published, nullptr) << "service " << service_name << " is not published";
    std::vector<std::string> our_methods;
    for (int i = 0; i < ours->method_count(); ++i) our_methods.push_back(ours->method(i)->name());
    std::vector<std::string> sorted_expected = methods;
    std::sort(our_methods.begin(), our_methods.end());
    std::sort(sorted_expected.begin(), sorted_expected.end());
    EXPECT_EQ(our_methods, sorted_expected) << "the methods of " << service_name;
    for (int i = 0; i < ours->method_count(); ++i) {
      const pb::MethodDescriptor* method = ours->method(i);
      const pb::MethodDescriptor* theirs = published->FindMethodByName(method->name());
      std::string where = service_name + "." + method->name();
      if (theirs == nullptr) {
        ADD_FAILURE() << where << " is not published";
        continue;
      }
      if (method->input_type()->full_name() != theirs->input_type()->full_name()) {
        ADD_FAILURE() << where << ": input " << method->input_type()->full_name() << " here, "
                      << theirs->input_type()->full_name() << " published";
      }
      if (method->output_type()->full_name() != theirs->output_type()->full_name()) {
        ADD_FAILURE() << where << ": output " << method->output_type()->full_name() << " here, "
                      << theirs->output_type()->full_name() << " published";
      }
      if (method->client_streaming() != theirs->client_streaming() ||
          method->server_streaming() != theirs->server_streaming()) {
        ADD_FAILURE() << where << ": streaming differs from the published method";
      }
    }
  }
}

// --- The JSON fixtures through the generated messages -----------------------------------

// The message a fixture file holds, by its name; nullptr for files that are no message body
// (error-*.json are REST error envelopes: their "status" is not a google.rpc.Status field).
const pb::Descriptor* MessageOfFixture(const std::string& file) {
  namespace v1 = google::cloud::aiplatform::v1;
  auto starts = [&](std::string_view prefix) { return file.rfind(prefix, 0) == 0; };
  if (starts("nasjob-state-") || file == "nasjob-create-request.json") {
    return v1::NasJob::descriptor();
  }
  if (starts("nasjob-list-response-")) return v1::ListNasJobsResponse::descriptor();
  if (file == "nasjob-cancel-request.json") return v1::CancelNasJobRequest::descriptor();
  if (file == "nasjob-cancel-response.json") return pb::Empty::descriptor();
  if (starts("nasjob-delete-operation-") || starts("operation-")) {
    return google::longrunning::Operation::descriptor();
  }
  if (file == "nastrialdetail-get-response.json") return v1::NasTrialDetail::descriptor();
  if (file == "nastrialdetail-list-response.json") {
    return v1::ListNasTrialDetailsResponse::descriptor();
  }
  return nullptr;
}

bool IsMessageFixture(const std::string& file) {
  return file.rfind("nasjob-", 0) == 0 || file.rfind("nastrialdetail-", 0) == 0 ||
         file.rfind("operation-", 0) == 0;
}

// proto3 JSON writes a Timestamp's or Duration's fraction with 0, 3, 6 or 9 digits (as few
// as hold the value), so "10:05:02.100000Z" comes back as "10:05:02.100Z": the same instant.
// Both sides have the fraction's trailing zeros dropped before the comparison. Nothing else is
// normalised: int64 as JSON strings, enum names and omitted defaults must round-trip as is.
nlohmann::json NormaliseTimes(const nlohmann::json& value) {
  static const std::regex kTime(R"(^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d|-?\d+)(\.\d*)?(Z|s)$)");
  if (value.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [key, item] : value.items()) out[key] = NormaliseTimes(item);
    return out;
  }
  if (value.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& item : value) out.push_back(NormaliseTimes(item));
    return out;
  }
  std::smatch match;
  if (value.is_string()) {
    const std::string& text = value.get_ref<const std::string&>();
    if (std::regex_match(text, match, kTime)) {
      std::string fraction = match[2].str();
      while (!fraction.empty() && (fraction.back() == '0' || fraction.back() == '.')) {
        bool dot = fraction.back() == '.';
        fraction.pop_back();
        if (dot) break;
      }
      return match[1].str() + fraction + match[3].str();
    }
  }
  return value;
}

struct Fixture {
  std::string label;  // test name part
  fs::path path;      // empty: the folder is absent
  std::string absent_reason;
};

// What gtest prints of a parameter: the file, not the struct's bytes.
void PrintTo(const Fixture& fixture, std::ostream* os) {
  *os << (fixture.path.empty() ? fixture.absent_reason : fixture.path.string());
}

std::vector<Fixture> FixturesIn(const std::string& label, const fs::path& dir) {
  std::vector<Fixture> fixtures;
  if (!fs::is_directory(dir)) {
    fixtures.push_back({label + "_absent", {}, dir.string() + " is not there"});
    return fixtures;
  }
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
    std::string name = entry.path().filename().string();
    if (entry.path().extension() != ".json" || !IsMessageFixture(name)) continue;
    std::string id = label + "_" + entry.path().stem().string();
    std::replace_if(
        id.begin(), id.end(), [](char c) { return !std::isalnum(c); }, '_');
    fixtures.push_back({id, entry.path(), ""});
  }
  std::sort(fixtures.begin(), fixtures.end(),
            [](const Fixture& a, const Fixture& b) { return a.label < b.label; });
  return fixtures;
}

std::vector<Fixture> AllFixtures() {
  std::vector<Fixture> all =
      FixturesIn("reference", fs::path(NASFAKE_SOURCE_DIR) / "fixtures" / "reference");
  std::vector<Fixture> shared =
      FixturesIn("shared", fs::path(NASFAKE_SHARED_DIR) / "api" / "examples");
  all.insert(all.end(), shared.begin(), shared.end());
  return all;
}

class JsonRoundTripTest : public ::testing::TestWithParam<Fixture> {};

TEST_P(JsonRoundTripTest, ParsesIntoTheGeneratedMessageAndPrintsTheSameJson) {
  const Fixture& fixture = GetParam();
  if (fixture.path.empty()) GTEST_SKIP() << fixture.absent_reason;
  // Operation.metadata is an Any of DeleteOperationMetadata: its type must be linked in.
  ASSERT_NE(google::cloud::aiplatform::v1::DeleteOperationMetadata::descriptor(), nullptr);
  std::string name = fixture.path.filename().string();
  const pb::Descriptor* type = MessageOfFixture(name);
  ASSERT_NE(type, nullptr) << "no message type known for the fixture " << name;
  std::unique_ptr<pb::Message> message(
      pb::MessageFactory::generated_factory()->GetPrototype(type)->New());

  std::string text = ReadFile(fixture.path);
  pb::util::JsonParseOptions parse_options;
  parse_options.ignore_unknown_fields = false;
  pb::util::Status parsed = pb::util::JsonStringToMessage(text, message.get(), parse_options);
  ASSERT_TRUE(parsed.ok()) << name << " as " << type->full_name() << ": " << parsed.ToString();

  std::string printed;
  pb::util::Status written = pb::util::MessageToJsonString(*message, &printed);
  ASSERT_TRUE(written.ok()) << written.ToString();
  nlohmann::json expected = NormaliseTimes(nlohmann::json::parse(text));
  nlohmann::json actual = NormaliseTimes(nlohmann::json::parse(printed));
  EXPECT_EQ(actual, expected) << name << " as " << type->full_name()
                              << " does not round-trip; JSON Patch from the fixture to the "
                                 "output: "
                              << nlohmann::json::diff(expected, actual).dump();
}

INSTANTIATE_TEST_SUITE_P(Fixtures, JsonRoundTripTest, ::testing::ValuesIn(AllFixtures()),
                         [](const ::testing::TestParamInfo<Fixture>& info) {
                           return info.param.label;
                         });

}  // namespace
}  // namespace nasfake::proto_test
