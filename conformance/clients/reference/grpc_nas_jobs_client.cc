#include "conformance/clients/reference/grpc_nas_jobs_client.h"

#include <google/protobuf/empty.pb.h>
#include <google/protobuf/util/json_util.h>

#include <functional>
#include <utility>

#include "conformance/clients/reference/client_support.h"
#include "google/cloud/aiplatform/v1/job_service.grpc.pb.h"
#include "google/longrunning/operations.grpc.pb.h"
#include "google/rpc/status.pb.h"
#include "proto/linked_descriptors.h"

namespace nasfake::reference {
namespace {

namespace pb = google::protobuf;
namespace v1 = google::cloud::aiplatform::v1;
using json = nlohmann::json;

constexpr int kPageSize = 100;
constexpr int kMaxPages = 10000;
constexpr char kUserAgent[] = "nasfake-reference-client/1.0";

// `message` as the API's JSON (lowerCamelCase, enums by name, defaults omitted).
std::optional<json> ToJson(const pb::Message& message) {
  std::string text;
  if (!pb::util::MessageToJsonString(message, &text).ok()) return std::nullopt;
  json value = json::parse(text, nullptr, false);
  if (!value.is_object()) return std::nullopt;
  return value;
}

std::chrono::system_clock::time_point WallClock(Clock::time_point deadline) {
  return std::chrono::system_clock::now() +
         std::chrono::duration_cast<std::chrono::system_clock::duration>(deadline - Clock::now());
}

}  // namespace

class GrpcNasJobsClient::Impl {
 public:
  Impl(GrpcNasJobsClient& self, Options options) : self_(self), options_(std::move(options)) {
    proto::KeepDescriptorsLinked();
  }

  Clock::time_point NewDeadline() const { return Clock::now() + options_.deadline; }

  Result<json> Get(const std::string& name) {
    if (auto bad = Begin(name, "name")) return *bad;
    return GetJob(name, NewDeadline());
  }

  Result<json> Cancel(const std::string& name) {
    if (auto bad = Begin(name, "name")) return *bad;
    return CancelOnce(name, NewDeadline());
  }

  Result<json> CancelAndWait(const std::string& name) {
    if (auto bad = Begin(name, "name")) return *bad;
    const Clock::time_point deadline = NewDeadline();
    if (auto cancelled = CancelOnce(name, deadline); !cancelled) return cancelled;
    return PollUntil(
        options_.poll, deadline, options_.deadline, [&] { return GetJob(name, deadline); },
        IsTerminalJob, "NasJob " + name + " to reach a terminal state");
  }

  Result<json> List(const std::string& parent, const std::string& filter) {
    if (auto bad = Begin(parent, "parent")) return *bad;
    const Clock::time_point deadline = NewDeadline();
    json jobs = json::array();
    v1::ListNasJobsRequest request;
    request.set_parent(parent);
    request.set_filter(filter);
    request.set_page_size(kPageSize);
    for (int page = 0; page < kMaxPages; ++page) {
      v1::ListNasJobsResponse response;
      auto answer = Call("ListNasJobs", Routing("parent", parent), deadline, /*idempotent=*/true,
                         response, [&](::grpc::ClientContext* context) {
                           return jobs_->ListNasJobs(context, request, &response);
                         });
      if (!answer) return answer;
      if (answer->contains("nasJobs")) {
        for (const json& job : (*answer)["nasJobs"]) jobs.push_back(job);
      }
      if (response.next_page_token().empty()) return jobs;
      request.set_page_token(response.next_page_token());
    }
    return Error{"INTERNAL", "list of " + parent + " did not end after " +
                                 std::to_string(kMaxPages) + " pages"};
  }

  Result<json> Create(const std::string& parent, const json& job) {
    if (auto bad = Begin(parent, "parent")) return *bad;
    v1::CreateNasJobRequest request;
    request.set_parent(parent);
    if (auto read = pb::util::JsonStringToMessage(job.dump(), request.mutable_nas_job());
        !read.ok()) {
      return Error{"INVALID_ARGUMENT",
                   "the job is not a google.cloud.aiplatform.v1.NasJob: " + read.ToString()};
    }
    v1::NasJob created;
    return Call("CreateNasJob", Routing("parent", parent), NewDeadline(), /*idempotent=*/false,
                created, [&](::grpc::ClientContext* context) {
                  return jobs_->CreateNasJob(context, request, &created);
                });
  }

  Result<json> Delete(const std::string& name) {
    if (auto bad = Begin(name, "name")) return *bad;
    const Clock::time_point deadline = NewDeadline();
    v1::DeleteNasJobRequest request;
    request.set_name(name);
    google::longrunning::Operation operation;
    auto answer = Call("DeleteNasJob", Routing("name", name), deadline, /*idempotent=*/false,
                       operation, [&](::grpc::ClientContext* context) {
                         return jobs_->DeleteNasJob(context, request, &operation);
                       });
    if (!answer) return answer;
    if (!operation.done()) {
      if (operation.name().empty()) {
        return Error{"UNKNOWN", "delete answered an operation that is not done and has no name: " +
                                    Snippet(answer->dump())};
      }
      const std::string op = operation.name();
      answer = PollUntil(
          options_.poll, deadline, options_.deadline, [&] { return GetOperation(op, deadline); },
          IsDoneOperation, "operation " + op + " to be done");
      if (!answer) return answer;
    }
    return DoneOperation(std::move(answer).value());
  }

 private:
  // Starts an operation on the resource `name`: INVALID_ARGUMENT when it or
  // the endpoint is empty; else makes the channel and stubs if this is the
  // client's first operation.
  std::optional<Error> Begin(const std::string& name, const char* what) {
    if (options_.endpoint.empty()) return Error{"INVALID_ARGUMENT", "the endpoint is empty"};
    if (name.empty()) return Error{"INVALID_ARGUMENT", std::string(what) + " must not be empty"};
    if (!channel_) {
      channel_ = self_.NewChannel(options_.endpoint);
      jobs_ = v1::JobService::NewStub(channel_);
      operations_ = google::longrunning::Operations::NewStub(channel_);
    }
    return std::nullopt;
  }

  std::string Routing(std::string_view field, const std::string& value) {
    return self_.RoutingParams(field, value);
  }

  Result<json> GetJob(const std::string& name, Clock::time_point deadline) {
    v1::GetNasJobRequest request;
    request.set_name(name);
    v1::NasJob job;
    return Call(
        "GetNasJob", Routing("name", name), deadline, /*idempotent=*/true, job,
        [&](::grpc::ClientContext* context) { return jobs_->GetNasJob(context, request, &job); });
  }

  Result<json> CancelOnce(const std::string& name, Clock::time_point deadline) {
    v1::CancelNasJobRequest request;
    request.set_name(name);
    pb::Empty empty;
    return Call("CancelNasJob", Routing("name", name), deadline, /*idempotent=*/false, empty,
                [&](::grpc::ClientContext* context) {
                  return jobs_->CancelNasJob(context, request, &empty);
                });
  }

  Result<json> GetOperation(const std::string& name, Clock::time_point deadline) {
    google::longrunning::GetOperationRequest request;
    request.set_name(name);
    google::longrunning::Operation operation;
    return Call("GetOperation", Routing("name", name), deadline, /*idempotent=*/true, operation,
                [&](::grpc::ClientContext* context) {
                  return operations_->GetOperation(context, request, &operation);
                });
  }

  // One call (nas_jobs_api.h's retry contract): `invoke` makes one attempt
  // into `response` with the context it is given.
  Result<json> Call(const std::string& method, const std::string& routing,
                    Clock::time_point deadline, bool idempotent, pb::Message& response,
                    const std::function<::grpc::Status(::grpc::ClientContext*)>& invoke) {
    return CallWithRetries(options_.retry, idempotent, deadline, [&] {
      if (Clock::now() + kDeadlineSlack >= deadline) {
        return Attempt{std::nullopt, DeadlineError(options_.deadline, "before " + method)};
      }
      ::grpc::ClientContext context;
      self_.SetDeadline(context, deadline);
      if (!options_.token.empty()) context.AddMetadata("authorization", "Bearer " + options_.token);
      if (!routing.empty()) context.AddMetadata("x-goog-request-params", routing);
      response.Clear();
      const ::grpc::Status status = invoke(&context);
      return Judge(method, status, response, deadline);
    });
  }

  Attempt Judge(const std::string& method, const ::grpc::Status& status,
                const pb::Message& response, Clock::time_point deadline) {
    Attempt attempt;
    if (status.ok()) {
      attempt.value = ToJson(response);
      if (!attempt.value) {
        attempt.error = Error{"UNKNOWN", method + ": the answer does not convert to JSON"};
      }
      return attempt;
    }
    const auto code = status.error_code();
    if (code == ::grpc::StatusCode::DEADLINE_EXCEEDED &&
        Clock::now() + kDeadlineSlack >= deadline) {
      attempt.error = DeadlineError(options_.deadline, "during " + method);
      return attempt;
    }
    attempt.error.status = StatusCodeName(code);
    attempt.error.message =
        status.error_message().empty() ? method + " failed" : status.error_message();
    attempt.error.details = self_.StatusDetails(status);
    attempt.transient =
        code == ::grpc::StatusCode::UNAVAILABLE || code == ::grpc::StatusCode::RESOURCE_EXHAUSTED;
    if (attempt.transient) attempt.server_delay = RetryInfoDelay(attempt.error.details);
    return attempt;
  }

  GrpcNasJobsClient& self_;
  const Options options_;
  std::shared_ptr<::grpc::Channel> channel_;
  std::unique_ptr<v1::JobService::Stub> jobs_;
  std::unique_ptr<google::longrunning::Operations::Stub> operations_;
};

GrpcNasJobsClient::GrpcNasJobsClient(Options options)
    : impl_(std::make_unique<Impl>(*this, std::move(options))) {}
GrpcNasJobsClient::~GrpcNasJobsClient() = default;

Result<json> GrpcNasJobsClient::Get(const std::string& name) { return impl_->Get(name); }
Result<json> GrpcNasJobsClient::Cancel(const std::string& name) { return impl_->Cancel(name); }
Result<json> GrpcNasJobsClient::CancelAndWait(const std::string& name) {
  return impl_->CancelAndWait(name);
}
Result<json> GrpcNasJobsClient::List(const std::string& parent, const std::string& filter) {
  return impl_->List(parent, filter);
}
Result<json> GrpcNasJobsClient::Create(const std::string& parent, const json& job) {
  return impl_->Create(parent, job);
}
Result<json> GrpcNasJobsClient::Delete(const std::string& name) { return impl_->Delete(name); }

std::shared_ptr<::grpc::Channel> GrpcNasJobsClient::NewChannel(const std::string& endpoint) {
  ::grpc::ChannelArguments args;
  args.SetUserAgentPrefix(kUserAgent);
  return ::grpc::CreateCustomChannel(endpoint, ::grpc::InsecureChannelCredentials(), args);
}

void GrpcNasJobsClient::SetDeadline(::grpc::ClientContext& context, Clock::time_point deadline) {
  context.set_deadline(WallClock(deadline));
}

std::string GrpcNasJobsClient::RoutingParams(std::string_view field, const std::string& value) {
  return std::string(field) + "=" + EncodeQueryValue(value);
}

json GrpcNasJobsClient::StatusDetails(const ::grpc::Status& status) {
  json details = json::array();
  google::rpc::Status proto;
  if (status.error_details().empty() || !proto.ParseFromString(status.error_details())) {
    return details;
  }
  for (const pb::Any& any : proto.details()) {
    auto detail = ToJson(any);
    details.push_back(detail ? *detail : json{{"@type", any.type_url()}});
  }
  return details;
}

}  // namespace nasfake::reference
