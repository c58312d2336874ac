// The HTTP rules of the API's gRPC methods (their google.api.http bindings),
// read off the router's route table, so that a gRPC front end turns a call
// into the request a REST client would have sent for it: the same operation,
// resource, query and body, through the same path.
//
//   rpc /google.cloud.aiplatform.v1.JobService/CancelNasJob
//     → POST /v1/{name}:cancel, body: the request message without `name`
//   rpc …/ListNasJobs → GET /v1/{parent}/nasJobs?filter=…&pageSize=…
#pragma once

#include <string_view>

namespace nasfake::api {

struct HttpRule {
  std::string_view operation;   // "nasJobs.cancel": the route's operation name
  std::string_view rpc;         // "/google.cloud.aiplatform.v1.JobService/CancelNasJob"
  std::string_view method;      // "POST"
  std::string_view path_field;  // the request field the path is built from: "name", "parent"
  std::string_view collection;  // the literal segment after it ("nasJobs"); "" for none
  std::string_view verb;        // "cancel"; "" for none
  // "*": the request message without the path field; a field's proto name
  // ("nas_job"): that field; "": no body, the other fields are query parameters.
  std::string_view body_field;
};

// The rule of a gRPC method, by its path ("/package.Service/Method");
// nullptr for a method the API does not serve.
const HttpRule* HttpRuleOfRpc(std::string_view rpc);

}  // namespace nasfake::api
