#include "fake/server/tenant.h"

#include <chrono>
#include <utility>

#include "fake/api/routing_header.h"
#include "fake/errors.h"
#include "fake/server/seed.h"

namespace nasfake {
namespace {

std::string ActionName(const scenarios::Action& action) {
  using Kind = scenarios::Action::Kind;
  switch (action.kind) {
    case Kind::kPass:
      return "pass";
    case Kind::kAnswer:
      return "answer";
    case Kind::kDelay:
      return "delay";
    case Kind::kHold:
      return "hold:" + action.hold;
    case Kind::kFault:
      return "fault:" + std::string(api::FaultKindName(action.fault.kind));
  }
  return "?";
}

// Whether the client learns the response's status at all.
bool SendsStatus(const api::Response& response, api::Transport transport) {
  if (!response.fault) return true;
  if (api::FaultKindOf(response.fault->kind).sends_nothing) return false;
  if (response.fault->kind != api::WireFault::Kind::kPartialThenClose) return true;
  // A prefix of a REST answer carries its status once it holds "HTTP/1.1 200";
  // a gRPC call's status is in the trailers, which a partial answer lacks.
  return transport == api::Transport::kRest && response.fault->bytes >= 12;
}

bool Performs(const api::FaultKindInfo& row, api::Transport transport) {
  return transport == api::Transport::kRest ? row.rest : row.grpc;
}

// The names of the jobs a seed document defines, canonicalised.
std::vector<std::string> SeededJobNames(const nlohmann::json& seed) {
  std::vector<std::string> names;
  if (!seed.is_object()) return names;
  auto add = [&](const nlohmann::json& job) {
    if (!job.is_object() || !job.contains("name") || !job["name"].is_string()) return;
    if (auto name = model::ParseNasJobName(job["name"].get<std::string>())) {
      names.push_back(name->ToString());
    }
  };
  if (seed.contains("nasJobs") && seed["nasJobs"].is_array()) {
    for (const auto& job : seed["nasJobs"]) add(job);
  } else if (!seed.contains("nasTrialDetails")) {
    add(seed);
  }
  return names;
}

}  // namespace

Tenant::Tenant(FakeOptions options)
    : env_(std::move(options)), router_(env_), engine_(env_.clock()) {}

Status Tenant::ApplyScenario(const scenarios::Scenario& scenario) {
  std::string origin = "scenario \"" + scenario.name + "\"";
  std::vector<std::string> seeded = SeededJobNames(scenario.seed);
  for (const auto& [name, settings] : scenario.job_lifecycles) {
    auto parsed = model::ParseNasJobName(name);
    bool known =
        parsed && (std::find(seeded.begin(), seeded.end(), parsed->ToString()) != seeded.end() ||
                   env_.jobs().Peek(*parsed).ok());
    if (!known) {
      return Status(StatusCode::kInvalidArgument,
                    origin + ": jobLifecycles: no job \"" + name + "\" is seeded");
    }
  }
  if (!scenario.seed.is_null()) {
    if (Status s = server::SeedFromJson(scenario.seed, origin + ": seed", env_.jobs()); !s.ok()) {
      return s;
    }
  }
  if (scenario.lifecycle) env_.jobs().SetDefaultLifecycle(*scenario.lifecycle);
  for (const auto& [name, settings] : scenario.job_lifecycles) {
    (void)env_.jobs().SetLifecycle(*model::ParseNasJobName(name), settings);
  }
  env_.operations().SetDeletePollsUntilDone(scenario.delete_polls_until_done);
  if (scenario.max_page_size > 0) env_.jobs().SetMaxPageSize(scenario.max_page_size);
  engine_.SetRules(scenario.rules, scenario.random_faults);
  return Status();
}

api::Response Tenant::Handle(const api::Request& request, Outcome* answered_by) {
  auto resolved = api::Resolve(request);
  const uint64_t id = journal_.Begin(
      {.request = request,
       .operation = resolved ? resolved->operation : std::string_view(),
       .resource = resolved ? std::string_view(resolved->resource) : std::string_view(),
       .virtual_time = env_.clock().Now(),
       .real_time = std::chrono::system_clock::now()});

  scenarios::ScenarioEngine::Decision decision = engine_.Decide(request, resolved);
  std::string note;
  auto add_note = [&](const std::string& more) { note += (note.empty() ? "" : "; ") + more; };
  api::Response response = engine_.Perform(
      decision, [&] { return router_.Handle(request, resolved); }, &note);
  if (resolved) {
    if (std::string routing = api::RoutingHeaderMismatch(request, *resolved); !routing.empty()) {
      add_note(routing);
    }
  }

  if (response.fault && !Performs(api::FaultKindOf(response.fault->kind), request.transport)) {
    // Only a rule built in C++ gets here (the loader refuses such rules): the
    // request is answered UNAVAILABLE and the journal says why.
    const std::string_view transport = api::TransportName(request.transport);
    response = errors::ErrorResponse(
        errors::FaultNotPerformed(api::FaultKindName(response.fault->kind), transport));
    add_note("not performed over " + std::string(transport));
  }
  const std::string action = ActionName(decision.action) + (note.empty() ? "" : " (" + note + ")");
  const int status = SendsStatus(response, request.transport) ? response.status : 0;
  if (answered_by != nullptr) *answered_by = Outcome{decision.rule, action, status};
  journal_.Complete(
      id, {.rule = decision.rule, .action = action, .status = status, .response = response});
  return response;
}

void Tenant::Shutdown() {
  engine_.Shutdown();
  journal_.Shutdown();
}

}  // namespace nasfake
