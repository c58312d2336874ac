#include "fake/grpc/grpc_front_end.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/util/json_util.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "fake/api/http_rule.h"
#include "fake/api/query.h"
#include "fake/api/router.h"
#include "fake/errors.h"
#include "google/rpc/status.pb.h"
#include "proto/linked_descriptors.h"

namespace nasfake::grpc {
namespace {

namespace pb = google::protobuf;
using nlohmann::json;

// "/google.cloud.aiplatform.v1.JobService/GetNasJob" → its descriptor.
const pb::MethodDescriptor* MethodOf(std::string_view path) {
  if (path.size() < 2 || path.front() != '/') return nullptr;
  std::string full(path.substr(1));
  size_t slash = full.find('/');
  if (slash == std::string::npos) return nullptr;
  full[slash] = '.';
  return pb::DescriptorPool::generated_pool()->FindMethodByName(full);
}

std::unique_ptr<pb::Message> NewMessage(const pb::Descriptor* type) {
  const pb::Message* prototype = pb::MessageFactory::generated_factory()->GetPrototype(type);
  return std::unique_ptr<pb::Message>(prototype->New());
}

// The query text of one top-level JSON field: strings as they are, numbers
// and booleans as JSON writes them.
std::string QueryValue(const json& value) {
  return value.is_string() ? value.get<std::string>()
                           : value.dump(-1, ' ', false, json::error_handler_t::replace);
}

// The reply for a status: grpc-status, grpc-message and, when there are
// details, grpc-status-details-bin with google.rpc.Status.
GrpcReply StatusReply(int code, const std::string& message, const json& details) {
  std::string details_bin;
  if (details.is_array() && !details.empty()) {
    google::rpc::Status status;
    json rendered = {{"code", code}, {"message", message}, {"details", details}};
    if (!pb::util::JsonStringToMessage(
             rendered.dump(-1, ' ', false, json::error_handler_t::replace), &status)
             .ok()) {
      // A detail of a type this build does not know: the status without details.
      status.Clear();
      status.set_code(code);
      status.set_message(message);
    }
    details_bin = status.SerializeAsString();
  }
  return GrpcReply::Error(code, message, std::move(details_bin));
}

GrpcReply StatusReply(const Status& status) {
  return StatusReply(static_cast<int>(status.code()), status.message(), status.details());
}

// The request a REST client would send for `message` under `rule`, or the
// error that the call gets instead.
StatusOr<api::Request> ToRequest(const api::HttpRule& rule, const pb::Message& message,
                                 const GrpcCall& call) {
  std::string text;
  pb::util::JsonPrintOptions print;
  print.preserve_proto_field_names = false;  // lowerCamelCase, as REST clients send
  if (!pb::util::MessageToJsonString(message, &text, print).ok()) {
    return errors::RpcRequestNotParsed(message.GetDescriptor()->full_name());
  }
  json fields = json::parse(text, nullptr, false);
  if (!fields.is_object()) return errors::RpcRequestNotParsed(message.GetDescriptor()->full_name());

  const pb::Descriptor* type = message.GetDescriptor();
  const pb::FieldDescriptor* path_field = type->FindFieldByName(std::string(rule.path_field));
  std::string resource;
  if (path_field != nullptr) {
    resource = message.GetReflection()->GetString(message, path_field);
    fields.erase(path_field->json_name());
  }
  api::Request request;
  request.transport = api::Transport::kGrpc;
  request.method = std::string(rule.method);
  request.target = "/v1/" + api::PercentEncode(resource, true);
  if (!rule.collection.empty()) request.target += "/" + std::string(rule.collection);
  if (!rule.verb.empty()) request.target += ":" + std::string(rule.verb);

  if (rule.body_field == "*") {
    request.body = fields.dump(-1, ' ', false, json::error_handler_t::replace);
    fields = json::object();
  } else if (!rule.body_field.empty()) {
    const pb::FieldDescriptor* body = type->FindFieldByName(std::string(rule.body_field));
    auto it = body == nullptr ? fields.end() : fields.find(body->json_name());
    request.body =
        it == fields.end() ? "{}" : it->dump(-1, ' ', false, json::error_handler_t::replace);
    if (it != fields.end()) fields.erase(it);
  }
  char separator = '?';
  for (const auto& [name, value] : fields.items()) {
    request.target += separator + api::PercentEncode(name, false) + "=" +
                      api::PercentEncode(QueryValue(value), false);
    separator = '&';
  }
  request.headers = call.metadata;
  request.remote_addr = call.remote_addr;
  request.deadline = call.deadline;

  auto resolved = api::Resolve(request);
  if (!resolved || resolved->operation != rule.operation) {
    return errors::RpcResourceFieldInvalid(rule.path_field, resource);
  }
  return request;
}

// The call's reply for the fake's answer (see the header); `replies` keeps
// the messages transcoded from 2xx answers.
GrpcReply ToReply(const api::Response& response, const pb::Descriptor* output,
                  ReplyCache& replies) {
  auto raw = [&] { return GrpcReply::Http(response.status, response.content_type, response.body); };
  const bool is_json = response.content_type.rfind("application/json", 0) == 0;
  if (!is_json) return raw();
  if (response.status >= 200 && response.status < 300) {
    if (std::optional<std::string> kept = replies.Find(output, response.body)) {
      return GrpcReply::Message(std::move(*kept));
    }
    std::unique_ptr<pb::Message> message = NewMessage(output);
    // Fields the message does not have (a scripted answer from a newer API
    // version) are dropped: a client knows no more of them than their name.
    pb::util::JsonParseOptions parse;
    parse.ignore_unknown_fields = true;
    if (!pb::util::JsonStringToMessage(response.body, message.get(), parse).ok()) return raw();
    std::string bytes = message->SerializeAsString();
    replies.Add(output, response.body, bytes);
    return GrpcReply::Message(std::move(bytes));
  }
  json body = json::parse(response.body, nullptr, false);
  const json* error = body.is_object() && body.contains("error") ? &body["error"] : nullptr;
  if (error == nullptr || !error->is_object() || !error->contains("status") ||
      !(*error)["status"].is_string()) {
    return raw();
  }
  std::optional<StatusCode> code = StatusCodeFromName((*error)["status"].get<std::string>());
  if (!code) return raw();
  std::string message;
  if (error->contains("message") && (*error)["message"].is_string()) {
    message = (*error)["message"].get<std::string>();
  }
  return StatusReply(static_cast<int>(*code), message,
                     error->contains("details") ? (*error)["details"] : json::array());
}

}  // namespace

GrpcFrontEnd::GrpcFrontEnd(Handler handler) : handler_(std::move(handler)) {
  proto::KeepDescriptorsLinked();
}

GrpcReply GrpcFrontEnd::Handle(const GrpcCall& call) const {
  const api::HttpRule* rule = api::HttpRuleOfRpc(call.path);
  const pb::MethodDescriptor* method = MethodOf(call.path);
  if (rule == nullptr || method == nullptr)
    return StatusReply(errors::RpcMethodNotFound(call.path));
  std::unique_ptr<pb::Message> message = NewMessage(method->input_type());
  if (!message->ParseFromString(call.message)) {
    return StatusReply(errors::RpcRequestNotParsed(method->input_type()->full_name()));
  }
  StatusOr<api::Request> request = ToRequest(*rule, *message, call);
  if (!request.ok()) return StatusReply(request.status());
  const api::Response response = handler_(std::move(*request));
  GrpcReply reply = ToReply(response, method->output_type(), replies_);
  reply.fault = response.fault;  // the transport performs it
  return reply;
}

}  // namespace nasfake::grpc
