// The gRPC baseline: a minimal grpc++ synchronous server (Debian's grpc++
// 1.51, the library C++ gRPC services are built on) whose JobService answers
// every GetNasJob with one fixed NasJob, the one the fake answers for a seeded
// job; every other method is grpc++'s UNIMPLEMENTED. No interceptors,
// reflection or health service: the least a grpc++ server does per call.
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <utility>

#include "google/cloud/aiplatform/v1/job_service.grpc.pb.h"

namespace nasfake::bench {

class MinimalGrpcServer {
 public:
  explicit MinimalGrpcServer(google::cloud::aiplatform::v1::NasJob job)
      : service_(std::move(job)) {}
  ~MinimalGrpcServer() { Stop(); }

  // Binds 127.0.0.1:<free port> and serves; false when it cannot.
  bool Start() {
    ::grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", ::grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    return server_ != nullptr && port_ > 0;
  }
  void Stop() {
    if (server_ != nullptr) server_->Shutdown();
    server_.reset();
  }
  int port() const { return port_; }

 private:
  class Service final : public google::cloud::aiplatform::v1::JobService::Service {
   public:
    explicit Service(google::cloud::aiplatform::v1::NasJob job) : job_(std::move(job)) {}
    ::grpc::Status GetNasJob(::grpc::ServerContext*,
                             const google::cloud::aiplatform::v1::GetNasJobRequest*,
                             google::cloud::aiplatform::v1::NasJob* response) override {
      *response = job_;
      return ::grpc::Status::OK;
    }

   private:
    const google::cloud::aiplatform::v1::NasJob job_;
  };

  Service service_;
  std::unique_ptr<::grpc::Server> server_;
  int port_ = 0;
};

}  // namespace nasfake::bench
