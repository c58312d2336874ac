#include "proto/linked_descriptors.h"

#include "google/cloud/aiplatform/v1/job_service.pb.h"
#include "google/cloud/aiplatform/v1/nas_job.pb.h"
#include "google/cloud/aiplatform/v1/operation.pb.h"
#include "google/longrunning/operations.pb.h"
#include "google/rpc/error_details.pb.h"

namespace nasfake::proto {

void KeepDescriptorsLinked() {
  static const bool linked = [] {
    (void)google::cloud::aiplatform::v1::GetNasJobRequest::descriptor();
    (void)google::longrunning::GetOperationRequest::descriptor();
    (void)google::rpc::BadRequest::descriptor();
    (void)google::rpc::ErrorInfo::descriptor();
    (void)google::rpc::RetryInfo::descriptor();
    (void)google::rpc::DebugInfo::descriptor();
    (void)google::rpc::QuotaFailure::descriptor();
    (void)google::rpc::PreconditionFailure::descriptor();
    (void)google::rpc::RequestInfo::descriptor();
    (void)google::rpc::ResourceInfo::descriptor();
    (void)google::rpc::Help::descriptor();
    (void)google::rpc::LocalizedMessage::descriptor();
    (void)google::cloud::aiplatform::v1::DeleteOperationMetadata::descriptor();
    (void)google::cloud::aiplatform::v1::GenericOperationMetadata::descriptor();
    (void)google::cloud::aiplatform::v1::NasJob::descriptor();
    (void)google::longrunning::Operation::descriptor();
    return true;
  }();
  (void)linked;
}

}  // namespace nasfake::proto
