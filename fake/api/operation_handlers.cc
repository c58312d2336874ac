// projects.locations.operations: get, list, cancel, delete, wait.
#include "fake/api/handlers.h"
#include "fake/errors.h"

namespace nasfake::api {
namespace {

// The operations list filter: empty, "done=true" or "done=false" (spaces
// around '=' allowed). Anything else is INVALID_ARGUMENT.
StatusOr<std::optional<bool>> DoneFilter(std::string_view text) {
  std::string compact;
  for (char c : text) {
    if (c != ' ') compact += c;
  }
  if (compact.empty()) return std::optional<bool>();
  if (compact == "done=true") return std::optional<bool>(true);
  if (compact == "done=false") return std::optional<bool>(false);
  return errors::InvalidFilter(text, "operations can be filtered by done=true or done=false only");
}

}  // namespace

StatusOr<std::string> GetOperation(FakeEnv& env, const Call& call) {
  auto name = OperationOf(call);
  if (!name.ok()) return name.status();
  auto operation = env.operations().Get(*name);
  if (!operation.ok()) return operation.status();
  return model::ToJson(*operation, call.json);
}

StatusOr<std::string> ListOperations(FakeEnv& env, const Call& call) {
  auto parent = LocationOf(call);
  if (!parent.ok()) return parent.status();
  auto page_size = PageSizeParam(call);
  if (!page_size.ok()) return page_size.status();
  std::string_view filter_text = call.Param("filter").value_or("");
  auto done = DoneFilter(filter_text);
  if (!done.ok()) return done.status();
  auto page = env.operations().List(*parent, *done, filter_text, *page_size,
                                    call.Param("page_token").value_or(""));
  if (!page.ok()) return page.status();
  std::vector<std::string> items;
  for (const auto& item : page->operations) items.push_back(model::ToJson(item, call.json));
  return ListBody("operations", items, page->next_page_token);
}

StatusOr<std::string> CancelOperation(FakeEnv& env, const Call& call) {
  auto name = OperationOf(call);
  if (!name.ok()) return name.status();
  if (Status body = ExpectEmptyBody(call); !body.ok()) return body;
  if (Status cancelled = env.operations().Cancel(*name); !cancelled.ok()) return cancelled;
  return std::string("{}");
}

StatusOr<std::string> DeleteOperation(FakeEnv& env, const Call& call) {
  auto name = OperationOf(call);
  if (!name.ok()) return name.status();
  if (Status deleted = env.operations().Delete(*name); !deleted.ok()) return deleted;
  return std::string("{}");
}

// operations.wait returns the operation as it is: the fake never blocks a
// request on time (an operation that is not done is returned not done, which
// the API allows: "the server may return before the timeout").
StatusOr<std::string> WaitOperation(FakeEnv& env, const Call& call) {
  if (auto timeout = call.Param("timeout"); timeout && !model::ParseDuration(*timeout)) {
    return errors::InvalidValue(
        "timeout", "TYPE_MESSAGE",
        nlohmann::json(*timeout).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }
  if (Status body = ExpectEmptyBody(call); !body.ok()) return body;
  return GetOperation(env, call);
}

}  // namespace nasfake::api
