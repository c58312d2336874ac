// Long-running operations (reference §1.4): the ones nasJobs.delete returns.
// They live directly under the location, named
// projects/{number}/locations/{location}/operations/{19-digit id}.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "fake/model/nas_job.h"
#include "fake/model/resource_names.h"
#include "fake/status.h"
#include "fake/store/clock.h"
#include "fake/store/id_source.h"
#include "fake/store/page_token.h"

namespace nasfake::store {

class OperationStore {
 public:
  struct OperationPage {
    std::vector<model::Operation> operations;
    std::string next_page_token;
  };

  OperationStore(const Clock& clock, uint64_t seed);

  // Delete operations complete at their Nth read: reads 1 … N-1 see the
  // operation not done, read N and later see it done (0: done when returned,
  // as real Vertex deletes are). The same rule as
  // LifecycleSettings::cancelling_polls.
  void SetDeletePollsUntilDone(int polls);

  // A DeleteOperationMetadata operation for a delete under `parent`. When it
  // completes, `complete` runs under this store's lock (it performs the
  // deletion; it must not call back into this store) and a non-OK Status
  // becomes the operation's error, OK an Empty response.
  model::Operation StartDelete(const model::LocationName& parent, std::function<Status()> complete);

  // operations.get: counts one read (see SetDeletePollsUntilDone).
  StatusOr<model::Operation> Get(const model::OperationName& name);
  // operations.list, oldest first. `done_filter`: only done / not done.
  StatusOr<OperationPage> List(const model::LocationName& parent, std::optional<bool> done_filter,
                               std::string_view binding, int page_size,
                               std::string_view page_token);
  // operations.cancel: a done operation is not cancellable (FAILED_PRECONDITION);
  // one in progress ends with error CANCELLED and its deletion never happens.
  Status Cancel(const model::OperationName& name);
  // operations.delete: forgets the operation.
  Status Delete(const model::OperationName& name);

 private:
  struct Record {
    uint64_t seq = 0;
    model::Operation operation;
    int reads_left = 0;
    std::function<Status()> complete;
  };
  void Finish(Record& record);

  const Clock& clock_;
  std::mutex mu_;
  IdSource ids_;
  PageTokenCodec tokens_;
  uint64_t next_seq_ = 1;
  int delete_polls_until_done_ = 0;
  std::unordered_map<std::string, Record> by_name_;
  std::unordered_map<std::string, std::map<uint64_t, std::string>> by_parent_;
};

}  // namespace nasfake::store
