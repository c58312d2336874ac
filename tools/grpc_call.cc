// nasfake-grpc-call: one unary gRPC call with a JSON request, the answer as
// JSON; a grpc_cli for the fake's surface, with its descriptors built in.
//
//   nasfake-grpc-call [--metadata NAME=VALUE]... [--timeout SECONDS]
//                     [--ca FILE [--access-token TOKEN]] TARGET METHOD [JSON]
//     TARGET   host:port of the endpoint (NASFAKE_GRPC_ENDPOINT): plaintext
//              HTTP/2, or TLS with --ca FILE, the CA certificate to trust
//              (NASFAKE_CA_FILE); --access-token sends TOKEN as call
//              credentials (Authorization: Bearer), which gRPC allows over
//              TLS only
//     METHOD   JobService/GetNasJob, Operations/GetOperation, … or a full
//              /package.Service/Method path
//     JSON     the request message in proto3 JSON; default {}
//
// OK: the response message as proto3 JSON (lowerCamelCase) on stdout, exit 0.
// Any other status: "CODE: message" on stderr, then the google.rpc.Status of
// grpc-status-details-bin as JSON when there is one, exit 1. Bad usage or a
// request that does not parse: exit 2. A test and docs tool: it links grpc++,
// which the fake itself never does.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/util/json_util.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/support/byte_buffer.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "google/rpc/code.pb.h"
#include "google/rpc/status.pb.h"
#include "proto/linked_descriptors.h"

namespace {

namespace pb = google::protobuf;

constexpr const char* kUsage =
    "usage: nasfake-grpc-call [--metadata NAME=VALUE]... [--timeout SECONDS] "
    "[--ca FILE [--access-token TOKEN]] TARGET METHOD [JSON]\n";

// "JobService/GetNasJob" or "/google.cloud.aiplatform.v1.JobService/GetNasJob".
const pb::MethodDescriptor* FindMethod(const std::string& name, std::string& path) {
  const pb::DescriptorPool* pool = pb::DescriptorPool::generated_pool();
  std::string full = name.rfind('/', 0) == 0 ? name.substr(1) : name;
  if (full.rfind("JobService/", 0) == 0) full = "google.cloud.aiplatform.v1." + full;
  if (full.rfind("Operations/", 0) == 0) full = "google.longrunning." + full;
  size_t slash = full.find('/');
  if (slash == std::string::npos) return nullptr;
  path = "/" + full;
  full[slash] = '.';
  return pool->FindMethodByName(full);
}

std::string ToJson(const pb::Message& message) {
  std::string text;
  pb::util::JsonPrintOptions options;
  options.add_whitespace = false;
  if (!pb::util::MessageToJsonString(message, &text, options).ok()) return "<unprintable>";
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  nasfake::proto::KeepDescriptorsLinked();
  std::vector<std::pair<std::string, std::string>> metadata;
  std::chrono::seconds timeout(30);
  std::string ca_file;
  std::string access_token;
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--metadata" && i + 1 < argc) {
      std::string pair = argv[++i];
      size_t eq = pair.find('=');
      if (eq == std::string::npos || eq == 0) {
        std::cerr << "nasfake-grpc-call: --metadata wants NAME=VALUE\n" << kUsage;
        return 2;
      }
      metadata.emplace_back(pair.substr(0, eq), pair.substr(eq + 1));
    } else if (arg == "--timeout" && i + 1 < argc) {
      timeout = std::chrono::seconds(std::atoi(argv[++i]));
    } else if (arg == "--ca" && i + 1 < argc) {
      ca_file = argv[++i];
    } else if (arg == "--access-token" && i + 1 < argc) {
      access_token = argv[++i];
    } else if (arg.rfind("--", 0) == 0) {
      std::cerr << "nasfake-grpc-call: unknown flag " << arg << "\n" << kUsage;
      return 2;
    } else {
      positional.push_back(arg);
    }
  }
  if (positional.size() < 2 || positional.size() > 3 ||
      (!access_token.empty() && ca_file.empty())) {
    std::cerr << kUsage;
    return 2;
  }
  std::shared_ptr<grpc::ChannelCredentials> credentials = grpc::InsecureChannelCredentials();
  if (!ca_file.empty()) {
    std::ifstream in(ca_file);
    std::stringstream pem;
    pem << in.rdbuf();
    if (!in) {
      std::cerr << "nasfake-grpc-call: cannot read " << ca_file << "\n";
      return 2;
    }
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = pem.str();
    credentials = grpc::SslCredentials(ssl);
    if (!access_token.empty()) {
      credentials = grpc::CompositeChannelCredentials(credentials,
                                                      grpc::AccessTokenCredentials(access_token));
    }
  }
  std::string path;
  const pb::MethodDescriptor* method = FindMethod(positional[1], path);
  if (method == nullptr) {
    std::cerr << "nasfake-grpc-call: no method " << positional[1] << " in the built-in protos\n";
    return 2;
  }
  pb::DynamicMessageFactory factory;
  std::unique_ptr<pb::Message> request(factory.GetPrototype(method->input_type())->New());
  std::unique_ptr<pb::Message> response(factory.GetPrototype(method->output_type())->New());
  const std::string json = positional.size() == 3 ? positional[2] : "{}";
  if (auto parsed = pb::util::JsonStringToMessage(json, request.get()); !parsed.ok()) {
    std::cerr << "nasfake-grpc-call: the request is no " << method->input_type()->full_name()
              << ": " << parsed.message() << "\n";
    return 2;
  }

  auto channel = grpc::CreateChannel(positional[0], credentials);
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + timeout);
  for (const auto& [name, value] : metadata) context.AddMetadata(name, value);
  const std::string bytes = request->SerializeAsString();
  grpc::Slice slice(bytes);
  grpc::ByteBuffer sent(&slice, 1);
  grpc::ByteBuffer received;
  grpc::Status status;
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  stub.UnaryCall(&context, path, grpc::StubOptions(), &sent, &received, [&](grpc::Status s) {
    std::lock_guard<std::mutex> lock(mu);
    status = std::move(s);
    done = true;
    cv.notify_all();
  });
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return done; });  // bounded by the context's deadline
  }
  if (!status.ok()) {
    const int code = status.error_code();
    std::cerr << (google::rpc::Code_IsValid(code)
                      ? google::rpc::Code_Name(static_cast<google::rpc::Code>(code))
                      : std::to_string(code))
              << ": " << status.error_message() << "\n";
    if (!status.error_details().empty()) {
      google::rpc::Status details;
      if (details.ParseFromString(status.error_details())) std::cerr << ToJson(details) << "\n";
    }
    return 1;
  }
  std::vector<grpc::Slice> slices;
  std::string answer;
  if (received.Dump(&slices).ok()) {
    for (const grpc::Slice& s : slices)
      answer.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  if (!response->ParseFromString(answer)) {
    std::cerr << "nasfake-grpc-call: the answer is no " << method->output_type()->full_name()
              << "\n";
    return 1;
  }
  std::cout << ToJson(*response) << "\n";
  return 0;
}
