#include "fake/server/journaled_service.h"

#include <chrono>
#include <utility>

#include "fake/api/router.h"
#include "fake/errors.h"
#include "fake/server/control_api.h"

namespace nasfake::server {

JournaledService::JournaledService(std::string action, Handler handler)
    : action_(std::move(action)), handler_(std::move(handler)) {}

api::Response JournaledService::Handle(api::Request&& request) {
  if (IsControlRequest(request)) return HandleServiceControl(request, journal_);
  auto resolved = api::Resolve(request);
  const auto now = std::chrono::system_clock::now();
  const uint64_t id = journal_.Begin(
      {.request = request,
       .operation = resolved ? resolved->operation : std::string_view(),
       .resource = resolved ? std::string_view(resolved->resource) : std::string_view(),
       .virtual_time = std::chrono::floor<std::chrono::microseconds>(now),
       .real_time = now});
  api::Response response = handler_(std::move(request));
  journal_.Complete(
      id, {.rule = "", .action = action_, .status = response.status, .response = response});
  return response;
}

}  // namespace nasfake::server
