#include "scenarios/explain.h"

#include <string_view>

#include "fake/model/enums.h"
#include "fake/model/json_text.h"

namespace nasfake::scenarios {
namespace {

using nlohmann::json;

std::string Quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

// "1st", "2nd", "3rd", "4th", "11th", "21st", …
std::string Ordinal(int n) {
  int tens = n % 100, ones = n % 10;
  const char* suffix = "th";
  if (tens < 11 || tens > 13) {
    suffix = ones == 1 ? "st" : ones == 2 ? "nd" : ones == 3 ? "rd" : "th";
  }
  return std::to_string(n) + suffix;
}

std::string Plural(size_t n, std::string_view noun) {
  return std::to_string(n) + " " + std::string(noun) + (n == 1 ? "" : "s");
}

std::string Duration(model::Duration d) { return model::FormatDuration(d); }

// "requests", "GET nasJobs.get requests over gRPC on resources matching …".
std::string MatchText(const RequestMatch& match) {
  std::string text;
  if (match.method) text += *match.method + " ";
  if (match.operation) text += *match.operation + " ";
  text += "requests";
  if (match.transport) {
    text += match.transport == api::Transport::kGrpc ? " over gRPC" : " over REST";
  }
  if (match.resource) text += " on resources matching " + Quoted(*match.resource);
  for (const auto& [name, glob] : match.headers) {
    text += " with header " + name + (glob == "*" ? "" : " matching " + Quoted(glob));
  }
  if (match.body) text += " with a body matching " + Quoted(*match.body);
  return text;
}

// "503 UNAVAILABLE \"The service is currently unavailable.\"" for a Google
// error body; else the status and what the body is.
std::string AnswerText(const ScriptedAnswer& answer) {
  std::string text = "an answer " + std::to_string(answer.http_status);
  if (answer.content_type.rfind("text/html", 0) == 0) {
    return "Google's HTML error page with status " + std::to_string(answer.http_status);
  }
  auto body = model::ParseJsonText(answer.body);
  if (body.ok() && body->is_object() && body->contains("error") && (*body)["error"].is_object()) {
    const json& error = (*body)["error"];
    if (error.contains("status") && error["status"].is_string()) {
      text += " " + error["status"].get<std::string>();
    }
    if (error.contains("message") && error["message"].is_string()) {
      text += " " + Quoted(error["message"].get<std::string>());
    }
  } else if (answer.body.empty()) {
    text += " with an empty body";
  } else {
    text += " with a " + Plural(answer.body.size(), "byte") + " body (" + answer.content_type + ")";
  }
  if (!answer.headers.empty()) {
    std::string names;
    for (const auto& [name, value] : answer.headers) names += (names.empty() ? "" : ", ") + name;
    text += (answer.headers.size() == 1 ? " and the header " : " and the headers ") + names;
  }
  return text;
}

std::string FaultText(const Action& action) {
  const api::WireFault& fault = action.fault;
  std::string of = action.has_answer ? "of " + AnswerText(action.answer) : "of the API's answer";
  switch (fault.kind) {
    case api::WireFault::Kind::kReset:
      return "a TCP reset (nothing is sent)";
    case api::WireFault::Kind::kCloseBeforeResponse:
      return "the connection closed before any byte is sent";
    case api::WireFault::Kind::kPartialThenClose:
      return "the first " + Plural(fault.bytes, "byte") + " " + of + ", then the connection closed";
    case api::WireFault::Kind::kStall:
      return "nothing for " + Duration(fault.duration) + ", then the connection closed";
    case api::WireFault::Kind::kDribble:
      return Plural(fault.bytes, "byte") + " " + of + " at a time, " + Duration(fault.duration) +
             " apart";
    case api::WireFault::Kind::kGoaway:
      return "a GOAWAY (" + std::string(api::Http2ErrorName(api::CodeOf(fault))) +
             ") below the call, which is not processed";
    case api::WireFault::Kind::kRstStream:
      return "RST_STREAM " + std::string(api::Http2ErrorName(api::CodeOf(fault))) + " on the call" +
             (api::LeavesTheRequestUnprocessed(fault) ? ", which is not processed" : "");
  }
  return "a wire fault";
}

std::string LifecycleText(const store::LifecycleSettings& s) {
  auto lasts = [](std::string_view state, const std::optional<model::Duration>& d) {
    return std::string(state) + (d ? " for " + Duration(*d) : " until a test moves it");
  };
  std::string outcome(model::EnumName(s.outcome));
  if (s.outcome == model::JobState::kFailed) {
    outcome += " (error " + std::to_string(s.failure_error.code) + " " +
               Quoted(s.failure_error.message) + ")";
  }
  std::string text = lasts("QUEUED", s.queued_for) + ", " + lasts("PENDING", s.pending_for) + ", " +
                     lasts("RUNNING", s.running_for);
  if (s.queued_for && s.pending_for && s.running_for) text += ", then " + outcome;
  std::string takes_effect;
  if (s.cancelling_polls > 0) {
    takes_effect = "at the " + Ordinal(s.cancelling_polls) + " read of the job after the cancel";
  } else if (s.cancelling_for) {
    takes_effect = Duration(*s.cancelling_for) + " after the cancel";
  }
  if (s.cancel_effect == store::LifecycleSettings::CancelEffect::kFinishesFirst) {
    text +=
        "; a cancel is answered {} but loses the race: the job never becomes CANCELLING and "
        "ends " +
        outcome + (takes_effect.empty() ? " when its work ends" : " " + takes_effect);
  } else if (takes_effect.empty()) {
    text += "; a cancel makes it CANCELLING until a test moves it";
  } else {
    text += "; a cancel makes it CANCELLING, then CANCELLED " + takes_effect;
  }
  return text;
}

// "1 job: projects/…/nasJobs/1 (JOB_STATE_RUNNING); 2 trial details".
std::string SeedText(const json& seed) {
  std::vector<const json*> jobs;
  size_t details = 0;
  if (seed.contains("nasJobs") || seed.contains("nasTrialDetails")) {
    if (auto it = seed.find("nasJobs"); it != seed.end()) {
      for (const json& job : *it) jobs.push_back(&job);
    }
    if (auto it = seed.find("nasTrialDetails"); it != seed.end()) details = it->size();
  } else {
    jobs.push_back(&seed);
  }
  std::string text = Plural(jobs.size(), "job");
  constexpr size_t kListed = 10;
  for (size_t i = 0; i < jobs.size() && i < kListed; ++i) {
    const json& job = *jobs[i];
    text += (i == 0 ? ": " : ", ") + job.value("name", std::string("(no name)"));
    if (job.contains("state")) {
      text += " (" +
              (job["state"].is_string() ? job["state"].get<std::string>() : job["state"].dump()) +
              ")";
    }
  }
  if (jobs.size() > kListed) text += ", …";
  if (details > 0) text += "; " + Plural(details, "trial detail");
  return text;
}

std::string RuleText(const Rule& rule) {
  std::string text = rule.id + ": " + MatchText(rule.match) + ": ";
  std::string first = "the first";
  if (rule.after == 1) text += "the first passes untouched, then ";
  if (rule.after > 1) text += "the first " + std::to_string(rule.after) + " pass untouched, then ";
  if (rule.after > 0) first = "the next";
  if (rule.actions.size() > 1) {
    text += "in turn, ";
    for (size_t k = 0; k < rule.actions.size(); ++k) {
      text += (k == 0 ? "" : "; ") + std::string(k == 0 ? "the " : "") +
              Ordinal(static_cast<int>(k) + 1) + " gets " + ExplainAction(rule.actions[k]);
    }
    return text + "; later ones fall through";
  }
  const std::string action =
      rule.actions.empty() ? "the API's own answer" : ExplainAction(rule.actions[0]);
  if (!rule.times) return text + (rule.after > 0 ? "each gets " : "every one gets ") + action;
  if (*rule.times == 1) return text + first + " gets " + action + "; later ones fall through";
  return text + first + " " + std::to_string(*rule.times) + " get " + action +
         "; later ones fall through";
}

}  // namespace

std::string ExplainAction(const Action& action) {
  switch (action.kind) {
    case Action::Kind::kPass:
      return "the API's own answer";
    case Action::Kind::kAnswer:
      return AnswerText(action.answer);
    case Action::Kind::kFault:
      return FaultText(action);
    case Action::Kind::kDelay:
      return action.virtual_delay
                 ? "the API's own answer once the test has advanced the virtual "
                   "clock by " +
                       Duration(action.delay)
                 : "the API's own answer after " + Duration(action.delay) + " of real time";
    case Action::Kind::kHold:
      return "held until the test releases hold " + Quoted(action.hold) +
             " (at most 30s), then the API's own answer";
  }
  return "?";
}

std::string ExplainScenario(const Scenario& scenario) {
  std::string out = "scenario " + Quoted(scenario.name) +
                    (scenario.description.empty() ? "" : ": " + scenario.description) + "\n";
  if (!scenario.seed.is_null()) out += "seed: " + SeedText(scenario.seed) + "\n";
  if (scenario.lifecycle) out += "every job: " + LifecycleText(*scenario.lifecycle) + "\n";
  for (const auto& [name, settings] : scenario.job_lifecycles) {
    out += "job " + name + ": " + LifecycleText(settings) + "\n";
  }
  if (scenario.delete_polls_until_done > 0) {
    out += "delete: the operation is done at its " + Ordinal(scenario.delete_polls_until_done) +
           " read\n";
  }
  if (scenario.max_page_size > 0) {
    out += "list: a page holds at most " + Plural(scenario.max_page_size, "job") + "\n";
  }
  if (!scenario.rules.empty()) {
    out += "rules, tried in order (the first that applies wins):\n";
    for (size_t i = 0; i < scenario.rules.size(); ++i) {
      out += "  " + std::to_string(i + 1) + ". " + RuleText(scenario.rules[i]) + "\n";
    }
  }
  if (const auto& faults = scenario.random_faults) {
    out += "random faults (seed " + std::to_string(faults->seed) +
           "): " + MatchText(faults->match) + " that no rule took get, each with probability " +
           json(faults->rate).dump() + ", one of: ";
    for (size_t i = 0; i < faults->choices.size(); ++i) {
      out += (i == 0 ? "" : "; ") + ExplainAction(faults->choices[i]);
    }
    out += "\n";
  }
  out += std::string(scenario.rules.empty() && !scenario.random_faults ? "every request"
                                                                       : "any other request") +
         ": the API's own answer\n";
  return out;
}

}  // namespace nasfake::scenarios
