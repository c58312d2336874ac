#include "fake/store/operation_store.h"

#include <algorithm>

#include "fake/errors.h"
#include "fake/store/job_store.h"

namespace nasfake::store {
namespace {

constexpr char kDeleteMetadataType[] =
    "type.googleapis.com/google.cloud.aiplatform.v1.DeleteOperationMetadata";
constexpr char kEmptyType[] = "type.googleapis.com/google.protobuf.Empty";

void SetUpdateTime(model::Operation& op, model::Timestamp t) {
  op.metadata["genericMetadata"]["updateTime"] = model::FormatTimestamp(t);
}

}  // namespace

OperationStore::OperationStore(const Clock& clock, uint64_t seed)
    : clock_(clock), ids_(seed ^ 0x5bd1e9955bd1e995ULL), tokens_(seed * 31 + 7) {}

void OperationStore::SetDeletePollsUntilDone(int polls) {
  std::lock_guard lock(mu_);
  delete_polls_until_done_ = std::max(0, polls);
}

void OperationStore::Finish(Record& record) {
  Status status = record.complete ? record.complete() : Status();
  record.complete = nullptr;
  auto& op = record.operation;
  op.done = true;
  if (status.ok()) {
    op.response = {{"@type", kEmptyType}};
  } else {
    op.error =
        model::RpcStatus{static_cast<int>(status.code()), status.message(), status.details()};
  }
  SetUpdateTime(op, clock_.Now());
}

model::Operation OperationStore::StartDelete(const model::LocationName& parent,
                                             std::function<Status()> complete) {
  std::lock_guard lock(mu_);
  model::OperationName name{parent, ""};
  do {
    name.id = ids_.Next();
  } while (by_name_.contains(name.ToString()));
  std::string key = name.ToString();
  Record& record = by_name_[key];
  record.seq = next_seq_++;
  record.reads_left = delete_polls_until_done_;
  record.complete = std::move(complete);
  std::string now = model::FormatTimestamp(clock_.Now());
  record.operation.name = key;
  record.operation.metadata = {{"@type", kDeleteMetadataType},
                               {"genericMetadata", {{"createTime", now}, {"updateTime", now}}}};
  by_parent_[parent.ToString()].emplace(record.seq, key);
  if (record.reads_left == 0) Finish(record);
  return record.operation;
}

StatusOr<model::Operation> OperationStore::Get(const model::OperationName& name) {
  std::lock_guard lock(mu_);
  auto it = by_name_.find(name.ToString());
  if (it == by_name_.end()) return errors::OperationNotFound();
  Record& record = it->second;
  if (!record.operation.done && --record.reads_left <= 0) Finish(record);
  return record.operation;
}

StatusOr<OperationStore::OperationPage> OperationStore::List(const model::LocationName& parent,
                                                             std::optional<bool> done_filter,
                                                             std::string_view binding,
                                                             int page_size,
                                                             std::string_view page_token) {
  std::string parent_key = parent.ToString();
  std::string token_binding = parent_key + "\n" + std::string(binding);
  std::optional<uint64_t> after;
  if (!page_token.empty()) {
    after = tokens_.Decode(page_token, token_binding);
    if (!after) return errors::InvalidPageToken();
  }
  size_t limit =
      page_size <= 0 ? kDefaultPageSize : static_cast<size_t>(std::min(page_size, kMaxPageSize));
  OperationPage page;
  std::lock_guard lock(mu_);
  auto index = by_parent_.find(parent_key);
  if (index == by_parent_.end()) return page;
  auto it = after ? index->second.upper_bound(*after) : index->second.begin();
  uint64_t last_seq = 0;
  for (; it != index->second.end(); ++it) {
    const model::Operation& op = by_name_.at(it->second).operation;
    if (done_filter && op.done != *done_filter) continue;
    if (page.operations.size() == limit) {
      page.next_page_token = tokens_.Encode(last_seq, token_binding);
      break;
    }
    page.operations.push_back(op);
    last_seq = it->first;
  }
  return page;
}

Status OperationStore::Cancel(const model::OperationName& name) {
  std::lock_guard lock(mu_);
  auto it = by_name_.find(name.ToString());
  if (it == by_name_.end()) return errors::OperationNotFound();
  auto& op = it->second.operation;
  if (op.done) return errors::OperationNotCancellable(op.name);
  it->second.complete = nullptr;
  op.done = true;
  op.error = model::RpcStatus{static_cast<int>(StatusCode::kCancelled), "CANCELLED"};
  SetUpdateTime(op, clock_.Now());
  return Status();
}

Status OperationStore::Delete(const model::OperationName& name) {
  std::lock_guard lock(mu_);
  auto it = by_name_.find(name.ToString());
  if (it == by_name_.end()) return errors::OperationNotFound();
  by_parent_[name.parent.ToString()].erase(it->second.seq);
  by_name_.erase(it);
  return Status();
}

}  // namespace nasfake::store
