// The control API: how a test in any language scripts a running fake, over
// HTTP, under the reserved prefix /__nasfake/v1/. JSON in and out; errors in
// Google's error shape. Every call is scoped by the `x-nasfake-test-id`
// header (absent: the default tenant), so parallel tests never meet.
//
//   GET    /__nasfake/v1/health                  {"ok":true,"version":"…"}
//   POST   /__nasfake/v1/scenario                reset, then apply a scenario document
//   POST   /__nasfake/v1/reset                   forget jobs, rules, holds and the journal
//   POST   /__nasfake/v1/seed                    seed a document ({"nasJobs":[…],…})
//   GET    /__nasfake/v1/clock                   {"now":"…","virtual":true}
//   POST   /__nasfake/v1/clock:advance           {"by":"2s"} or {"to":"<RFC 3339>"}
//   GET    /__nasfake/v1/holds                   {"holds":{"name":<waiting>,…}}
//   POST   /__nasfake/v1/holds/NAME:release      {"count":1} (optional; default all) →
//   {"released":n} POST   /__nasfake/v1/holds/NAME:wait         {"count":1,"timeout":"5s"} →
//   {"met":bool} GET    /__nasfake/v1/journal                 {"entries":[…],"dropped":n} DELETE
//   /__nasfake/v1/journal                 clear it POST   /__nasfake/v1/journal:wait
//   {"operation","resource","method","count","timeout"}
//                                                → {"met":bool,"reason":"…"}
//   GET    /__nasfake/v1/transcript              the journal as a replayable transcript
//   GET    /__nasfake/v1/jobs/{job name}         the job now, without counting a read
//   POST   /__nasfake/v1/jobs/{job name}:setState {"state":"JOB_STATE_CANCELLED"}
//
// Every wait is bounded by its timeout (at most 60 s). Nothing here reads or
// writes a file: scenarios and seeds come in the request body.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "fake/api/request.h"
#include "fake/server/tenant.h"

namespace nasfake::server {

inline constexpr std::string_view kControlPrefix = "/__nasfake/";
inline constexpr std::string_view kTestIdHeader = "x-nasfake-test-id";

// Where the control API finds tenants (FakeServer implements it).
class TenantDirectory {
 public:
  virtual ~TenantDirectory() = default;
  // The tenant of `test_id` ("" = default), created on first use.
  // RESOURCE_EXHAUSTED when too many tenants exist.
  virtual StatusOr<std::shared_ptr<Tenant>> TenantFor(const std::string& test_id) = 0;
  // Replaces the tenant of `test_id` by a fresh one.
  virtual std::shared_ptr<Tenant> ResetTenant(const std::string& test_id) = 0;
};

bool IsControlRequest(const api::Request& request);
api::Response HandleControl(const api::Request& request, TenantDirectory& tenants);

// The control API of a service with a journal but no tenants (record,
// replay: see JournaledService): GET health and GET journal; NOT_FOUND else.
api::Response HandleServiceControl(const api::Request& request, const journal::Journal& journal);

// The journal as a transcript (scenarios/transcript.h), for `nasfake replay`.
nlohmann::json TranscriptOf(const journal::Journal& journal);

}  // namespace nasfake::server
