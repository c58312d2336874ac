// Model-based tests of the job and operation stores (RapidCheck rc::state).
//
// A small model — jobs by creation index, the documented lifecycle of the
// README's "Lifecycle" section computed eagerly on every move of the clock,
// delete operations, and list paging newest first — is run side by side with
// the real thing, first directly against JobStore / OperationStore, then
// through the HTTP surface of a real FakeServer over loopback (the API, and
// the control API for the clock and forced states). Every answer is compared
// with the model, and independently of it these invariants are checked on
// every job observed:
//   - terminal states are absorbing (only a forced state moves such a job);
//   - CANCELLED ⇔ error.code 1; endTime set ⇔ terminal; startTime ≤ endTime;
//   - paging visits every matching job exactly once, newest first, even when
//     jobs are created and deleted between pages;
//   - a deleted job is NOT_FOUND everywhere and in no list.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>
#include <rapidcheck/state.h>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "fake/api/list_filter.h"
#include "fake/env.h"
#include "fake/errors.h"
#include "tests/support/test_support.h"

namespace nasfake {
namespace {

using model::Duration;
using model::JobState;
using model::Timestamp;
using nlohmann::json;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;
using store::LifecycleSettings;

const model::LocationName kParent{"123456789012", "us-central1"};
constexpr char kUnknownJob[] = "projects/123456789012/locations/us-central1/nasJobs/1";
constexpr char kUnknownOp[] = "projects/123456789012/locations/us-central1/operations/1";

// ===========================================================================
// Fixed list filters: their text, and the model's own reading of them.

struct MJob;
struct Filter {
  std::string text;
  std::function<bool(const MJob&)> matches;
};
const std::vector<Filter>& Filters();

// ===========================================================================
// The model.

struct MJob {
  bool exists = true;
  std::string display_name;
  std::optional<std::string> team;  // labels.team
  bool own_settings = false;
  LifecycleSettings settings;
  JobState state = JobState::kQueued;
  Timestamp create{}, update{}, since{};
  std::optional<Timestamp> start, end, natural_end, cancel_at;
  int reads_since_cancel = 0;
  Timestamp settings_since{};  // when `settings` last changed
  std::optional<model::RpcStatus> error;
};

struct MOp {
  bool exists = true;
  int job = -1;  // the model index of the job it deletes
  int reads_left = 0;
  bool done = false;
  std::optional<int> error_code;  // google.rpc.Code when it ended in error
};

struct Model {
  Timestamp now = store::VirtualClock::kDefaultStart;
  LifecycleSettings defaults;
  int delete_polls = 0;
  std::vector<MJob> jobs;  // index = creation order
  std::vector<MOp> ops;
};

// --- The lifecycle, as the README states it ---------------------------------

void Enter(MJob& j, JobState state, Timestamp t) {
  j.state = state;
  j.update = t;
  j.since = t;
  if (state == JobState::kRunning && !j.start) {
    j.start = t;
    if (j.settings.running_for) j.natural_end = t + *j.settings.running_for;
  }
  if (model::IsTerminal(state)) {
    j.end = t;
    j.natural_end.reset();
    if (state == JobState::kCancelled) {
      j.error = model::RpcStatus{1, "CANCELED"};
    } else if (state == JobState::kFailed) {
      j.error = j.settings.failure_error;
    } else {
      j.error.reset();
    }
  }
}

JobState CancelEnd(const LifecycleSettings& s) {
  return s.cancel_effect == LifecycleSettings::CancelEffect::kCancels ? JobState::kCancelled
                                                                      : s.outcome;
}

// Applies every transition due by `now`, each at the time it was due (but
// never before the state began or the settings changed); a cancellation due
// at the same time as the natural end wins.
void CatchUp(MJob& j, Timestamp now) {
  for (int guard = 0; guard < 16 && !model::IsTerminal(j.state); ++guard) {
    const auto& s = j.settings;
    std::optional<std::pair<Timestamp, JobState>> next;
    auto consider = [&](Timestamp at, JobState to) {
      if (!next || at < next->first) next = {at, to};
    };
    if (j.cancel_at && s.cancelling_polls == 0 && s.cancelling_for) {
      consider(*j.cancel_at + *s.cancelling_for, CancelEnd(s));
    }
    if (j.state == JobState::kQueued && s.queued_for) {
      consider(j.since + *s.queued_for, JobState::kPending);
    }
    if (j.state == JobState::kPending && s.pending_for) {
      consider(j.since + *s.pending_for, JobState::kRunning);
    }
    if ((j.state == JobState::kRunning || j.state == JobState::kCancelling) && j.natural_end) {
      consider(*j.natural_end, s.outcome);
    }
    if (!next || next->first > now) return;
    Enter(j, next->second, std::max({next->first, j.since, j.settings_since}));
  }
}

void CatchUpAll(Model& m) {
  for (auto& j : m.jobs) {
    if (j.exists) CatchUp(j, m.now);
  }
}

void CountRead(MJob& j, Timestamp now) {
  if (!j.cancel_at || j.settings.cancelling_polls == 0 || model::IsTerminal(j.state)) return;
  if (++j.reads_since_cancel >= j.settings.cancelling_polls) Enter(j, CancelEnd(j.settings), now);
}

StatusCode ModelCancel(MJob& j, Timestamp now) {
  if (model::IsTerminal(j.state)) return StatusCode::kFailedPrecondition;
  if (j.cancel_at) return StatusCode::kOk;
  j.cancel_at = now;
  j.reads_since_cancel = 0;
  if (j.settings.cancel_effect == LifecycleSettings::CancelEffect::kCancels) {
    Enter(j, JobState::kCancelling, now);
  }
  return StatusCode::kOk;
}

// A forced state: the bookkeeping of a real transition. A job forced out of
// a terminal state starts afresh: no endTime, error or earlier cancel.
void ModelForce(MJob& j, JobState state, Timestamp now) {
  if (model::IsTerminal(j.state) && !model::IsTerminal(state)) {
    j.start.reset();
    j.end.reset();
    j.error.reset();
    j.natural_end.reset();
    j.cancel_at.reset();
    j.reads_since_cancel = 0;
  }
  if (state == JobState::kCancelling && !j.cancel_at) {
    j.cancel_at = now;
    j.reads_since_cancel = 0;
  }
  Enter(j, state, now);
}

bool Live(const Model& m, int k) {
  return k >= 0 && k < static_cast<int>(m.jobs.size()) && m.jobs[k].exists;
}

int ModelCreate(Model& m, std::string display_name, std::optional<std::string> team) {
  MJob j;
  j.display_name = std::move(display_name);
  j.team = std::move(team);
  j.settings = m.defaults;
  j.create = m.now;
  Enter(j, JobState::kQueued, m.now);
  m.jobs.push_back(std::move(j));
  // Create answers QUEUED; transitions due at once (queued_for 0) follow.
  CatchUp(m.jobs.back(), m.now);
  return static_cast<int>(m.jobs.size()) - 1;
}

void FinishOp(Model& m, MOp& op) {
  op.done = true;
  if (Live(m, op.job)) {
    m.jobs[op.job].exists = false;
  } else {
    op.error_code = static_cast<int>(StatusCode::kNotFound);
  }
}

// nasJobs.delete: NOT_FOUND, or a new operation (index into m.ops).
std::optional<int> ModelDelete(Model& m, int k) {
  if (!Live(m, k)) return std::nullopt;
  MOp op;
  op.job = k;
  op.reads_left = m.delete_polls;
  if (op.reads_left == 0) FinishOp(m, op);
  m.ops.push_back(op);
  return static_cast<int>(m.ops.size()) - 1;
}

// --- Paging --------------------------------------------------------------

// What happens between two pages of a list walk.
struct Between {
  enum Kind { kNothing, kCreate, kDelete } kind = kNothing;
  int target = 0;  // kDelete: a model index (may be gone already)
};

struct ExpectedPage {
  std::vector<int> jobs;  // model indexes, in the order returned
  bool more = false;      // a next page token
};

struct Walk {
  std::vector<ExpectedPage> pages;
  std::vector<int> created;        // jobs created between pages
  std::vector<int> matched_first;  // live matching jobs when the walk began
};

// Pages of `filter` with `sizes` (cycled), `between[i]` done after page i.
// Newest first; each page resumes after the last job the previous one returned.
Walk ModelWalk(Model& m, int filter, const std::vector<int>& sizes,
               const std::vector<Between>& between) {
  Walk walk;
  const auto& matches = Filters()[filter].matches;
  for (int k = static_cast<int>(m.jobs.size()) - 1; k >= 0; --k) {
    if (m.jobs[k].exists && matches(m.jobs[k])) walk.matched_first.push_back(k);
  }
  int cursor = static_cast<int>(m.jobs.size());  // resume below this index
  for (size_t i = 0; i < 200; ++i) {
    const size_t size = static_cast<size_t>(sizes[i % sizes.size()]);
    ExpectedPage page;
    for (int k = cursor - 1; k >= 0; --k) {
      if (!m.jobs[k].exists || !matches(m.jobs[k])) continue;
      if (page.jobs.size() == size) {
        page.more = true;
        break;
      }
      page.jobs.push_back(k);
    }
    if (page.more) cursor = page.jobs.back();
    walk.pages.push_back(page);
    if (!page.more) break;
    const Between& b = between[i % between.size()];
    if (b.kind == Between::kCreate) {
      walk.created.push_back(ModelCreate(m, "alpha", std::string("b")));
    } else if (b.kind == Between::kDelete) {
      ModelDelete(m, b.target);
    }
  }
  return walk;
}

const std::vector<Filter>& Filters() {
  static const std::vector<Filter> filters = {
      {"", [](const MJob&) { return true; }},
      {"state=\"JOB_STATE_RUNNING\"", [](const MJob& j) { return j.state == JobState::kRunning; }},
      {"state!=\"JOB_STATE_CANCELLED\"",
       [](const MJob& j) { return j.state != JobState::kCancelled; }},
      {"display_name=\"alpha\"", [](const MJob& j) { return j.display_name == "alpha"; }},
      {"labels.team:*", [](const MJob& j) { return j.team.has_value(); }},
      {"display_name:\"*a\" AND NOT state=\"JOB_STATE_QUEUED\"",
       [](const MJob& j) { return j.display_name.ends_with("a") && j.state != JobState::kQueued; }},
      {"labels.team=\"a\" OR state=\"JOB_STATE_SUCCEEDED\"",
       [](const MJob& j) { return j.team == "a" || j.state == JobState::kSucceeded; }},
  };
  return filters;
}

// ===========================================================================
// The systems under test: one interface, two implementations.

// A job as a client sees it.
struct JobView {
  std::string name;
  std::string display_name;
  std::map<std::string, std::string> labels;
  JobState state = JobState::kUnspecified;
  std::optional<Timestamp> create, start, end, update;
  std::optional<model::RpcStatus> error;  // code and message only
  friend bool operator==(const JobView&, const JobView&) = default;
};

std::ostream& operator<<(std::ostream& os, const std::optional<Timestamp>& t) {
  return os << (t ? model::FormatTimestamp(*t) : std::string("-"));
}
std::ostream& operator<<(std::ostream& os, const JobView& j) {
  os << "{" << j.name << " " << j.display_name << " " << model::EnumName(j.state)
     << " create=" << j.create << " start=" << j.start << " end=" << j.end
     << " update=" << j.update;
  if (j.error) os << " error=" << j.error->code << ":" << j.error->message;
  return os << "}";
}

struct OpView {
  std::string name;
  bool done = false;
  std::optional<int> error_code;
  bool response_empty = false;  // response is google.protobuf.Empty
};

template <typename T>
struct Result {
  StatusCode code = StatusCode::kOk;
  T value{};
};

struct JobPageView {
  std::vector<JobView> jobs;
  std::string next_page_token;
};
struct OpPageView {
  std::vector<OpView> ops;
  std::string next_page_token;
};

class Api {
 public:
  virtual ~Api() = default;
  virtual void Prepare(const LifecycleSettings& defaults, int delete_polls) = 0;
  virtual JobView Create(const std::string& display_name,
                         const std::optional<std::string>& team) = 0;
  virtual Result<JobView> Get(const std::string& name) = 0;
  // The job as it is, without counting a read.
  virtual Result<JobView> Peek(const std::string& name) = 0;
  virtual Result<JobPageView> List(const std::string& filter, int page_size,
                                   const std::string& token) = 0;
  virtual StatusCode Cancel(const std::string& name) = 0;
  virtual Result<OpView> Delete(const std::string& name) = 0;
  virtual void Advance(Duration d) = 0;
  virtual StatusCode SetLifecycle(const std::optional<std::string>& name,
                                  const LifecycleSettings& settings) = 0;
  virtual Result<JobView> Force(const std::string& name, JobState state) = 0;
  virtual Result<OpView> GetOp(const std::string& name) = 0;
  virtual StatusCode CancelOp(const std::string& name) = 0;
  virtual StatusCode DeleteOp(const std::string& name) = 0;
  virtual Result<OpPageView> ListOps(int page_size, const std::string& token) = 0;
  // Whether every job is compared with the model after every command (cheap
  // in-process; over HTTP only the jobs a command touched and every list).
  virtual bool sweep_all() const = 0;
};

JobView ViewOf(const model::NasJob& job) {
  JobView v;
  v.name = job.name;
  v.display_name = job.display_name;
  v.labels = job.labels;
  v.state = job.state;
  v.create = job.create_time;
  v.start = job.start_time;
  v.end = job.end_time;
  v.update = job.update_time;
  if (job.error) v.error = model::RpcStatus{job.error->code, job.error->message};
  return v;
}

OpView ViewOf(const model::Operation& op) {
  OpView v;
  v.name = op.name;
  v.done = op.done;
  if (op.error) v.error_code = op.error->code;
  v.response_empty = op.response.is_object() &&
                     op.response.value("@type", "") == "type.googleapis.com/google.protobuf.Empty";
  return v;
}

template <typename T, typename U>
Result<T> Wrap(const StatusOr<U>& s) {
  if (!s.ok()) return {s.status().code(), T{}};
  return {StatusCode::kOk, ViewOf(*s)};
}

// Straight at the stores, as the handlers use them.
class StoreApi final : public Api {
 public:
  StoreApi() : env_(FakeOptions{}) {}
  void Prepare(const LifecycleSettings& defaults, int delete_polls) override {
    env_.jobs().SetDefaultLifecycle(defaults);
    env_.operations().SetDeletePollsUntilDone(delete_polls);
  }
  JobView Create(const std::string& display_name, const std::optional<std::string>& team) override {
    model::NasJob job;
    job.display_name = display_name;
    if (team) job.labels["team"] = *team;
    return ViewOf(env_.jobs().Create(kParent, job));
  }
  Result<JobView> Get(const std::string& name) override {
    return Wrap<JobView>(env_.jobs().Get(Name(name)));
  }
  Result<JobView> Peek(const std::string& name) override {
    return Wrap<JobView>(env_.jobs().Peek(Name(name)));
  }
  Result<JobPageView> List(const std::string& filter, int page_size,
                           const std::string& token) override {
    auto parsed = api::ListFilter::Parse(filter);
    RC_ASSERT(parsed.ok());
    auto page = env_.jobs().List(
        kParent, [&](const model::NasJob& job) { return parsed->Matches(job); }, filter, page_size,
        token);
    if (!page.ok()) return {page.status().code(), {}};
    JobPageView view;
    for (const auto& job : page->jobs) view.jobs.push_back(ViewOf(job));
    view.next_page_token = page->next_page_token;
    return {StatusCode::kOk, view};
  }
  StatusCode Cancel(const std::string& name) override {
    return env_.jobs().Cancel(Name(name)).code();
  }
  Result<OpView> Delete(const std::string& name) override {
    // As DeleteNasJob does: NOT_FOUND first, then an operation that deletes.
    model::NasJobName job = Name(name);
    if (auto peek = env_.jobs().Peek(job); !peek.ok()) return {peek.status().code(), {}};
    store::JobStore& jobs = env_.jobs();
    return {StatusCode::kOk, ViewOf(env_.operations().StartDelete(
                                 kParent, [&jobs, job] { return jobs.Delete(job); }))};
  }
  void Advance(Duration d) override { env_.virtual_clock()->Advance(d); }
  StatusCode SetLifecycle(const std::optional<std::string>& name,
                          const LifecycleSettings& settings) override {
    if (!name) {
      env_.jobs().SetDefaultLifecycle(settings);
      return StatusCode::kOk;
    }
    return env_.jobs().SetLifecycle(Name(*name), settings).code();
  }
  Result<JobView> Force(const std::string& name, JobState state) override {
    return Wrap<JobView>(env_.jobs().ForceState(Name(name), state));
  }
  Result<OpView> GetOp(const std::string& name) override {
    return Wrap<OpView>(env_.operations().Get(*model::ParseOperationName(name)));
  }
  StatusCode CancelOp(const std::string& name) override {
    return env_.operations().Cancel(*model::ParseOperationName(name)).code();
  }
  StatusCode DeleteOp(const std::string& name) override {
    return env_.operations().Delete(*model::ParseOperationName(name)).code();
  }
  Result<OpPageView> ListOps(int page_size, const std::string& token) override {
    auto page = env_.operations().List(kParent, std::nullopt, "", page_size, token);
    if (!page.ok()) return {page.status().code(), {}};
    OpPageView view;
    for (const auto& op : page->operations) view.ops.push_back(ViewOf(op));
    view.next_page_token = page->next_page_token;
    return {StatusCode::kOk, view};
  }
  bool sweep_all() const override { return true; }

 private:
  static model::NasJobName Name(const std::string& name) {
    auto parsed = model::ParseNasJobName(name);
    RC_ASSERT(parsed.has_value());
    return *parsed;
  }
  FakeEnv env_;
};

std::string UrlEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// Through a real FakeServer over loopback: the API, and the control API for
// the clock and forced states. Lifecycle settings have no HTTP call; they are
// set in-process.
class HttpApi final : public Api {
 public:
  HttpApi() : server_(testing::StartFakeServer()) {
    RC_ASSERT(server_ != nullptr);
    client_ = std::make_unique<testing::TestClient>(*server_);
  }
  void Prepare(const LifecycleSettings& defaults, int delete_polls) override {
    server_->jobs().SetDefaultLifecycle(defaults);
    server_->env().operations().SetDeletePollsUntilDone(delete_polls);
  }
  JobView Create(const std::string& display_name, const std::optional<std::string>& team) override {
    static const json kBody =
        testing::ReadJsonFixture("fixtures/reference/nasjob-create-request.json");
    json body = kBody;
    body["displayName"] = display_name;
    body.erase("labels");
    if (team) body["labels"] = {{"team", *team}};
    testing::Reply reply = client_->Post("/v1/" + kParent.ToString() + "/nasJobs", body.dump());
    RC_ASSERT(reply.status == 200);
    return JobOf(reply.json());
  }
  Result<JobView> Get(const std::string& name) override {
    return JobResult(client_->Get("/v1/" + name));
  }
  Result<JobView> Peek(const std::string& name) override {
    return JobResult(client_->Get("/__nasfake/v1/jobs/" + name));
  }
  Result<JobPageView> List(const std::string& filter, int page_size,
                           const std::string& token) override {
    std::string target =
        "/v1/" + kParent.ToString() + "/nasJobs?pageSize=" + std::to_string(page_size);
    if (!filter.empty()) target += "&filter=" + UrlEncode(filter);
    if (!token.empty()) target += "&pageToken=" + token;
    testing::Reply reply = client_->Get(target);
    if (reply.status != 200) return {CodeOf(reply), {}};
    json body = reply.json();
    JobPageView view;
    for (const auto& job : body.value("nasJobs", json::array())) view.jobs.push_back(JobOf(job));
    view.next_page_token = body.value("nextPageToken", "");
    return {StatusCode::kOk, view};
  }
  StatusCode Cancel(const std::string& name) override {
    testing::Reply reply = client_->Post("/v1/" + name + ":cancel", "");
    if (reply.status == 200) RC_ASSERT(reply.body == "{}");
    return CodeOf(reply);
  }
  Result<OpView> Delete(const std::string& name) override {
    return OpResult(client_->Delete("/v1/" + name));
  }
  void Advance(Duration d) override {
    testing::Reply reply =
        client_->Post("/__nasfake/v1/clock:advance", json{{"by", model::FormatDuration(d)}}.dump());
    RC_ASSERT(reply.status == 200);
  }
  StatusCode SetLifecycle(const std::optional<std::string>& name,
                          const LifecycleSettings& settings) override {
    if (!name) {
      server_->jobs().SetDefaultLifecycle(settings);
      return StatusCode::kOk;
    }
    return server_->jobs().SetLifecycle(*model::ParseNasJobName(*name), settings).code();
  }
  Result<JobView> Force(const std::string& name, JobState state) override {
    return JobResult(client_->Post("/__nasfake/v1/jobs/" + name + ":setState",
                                   json{{"state", model::EnumName(state)}}.dump()));
  }
  Result<OpView> GetOp(const std::string& name) override {
    return OpResult(client_->Get("/v1/" + name));
  }
  StatusCode CancelOp(const std::string& name) override {
    return CodeOf(client_->Post("/v1/" + name + ":cancel", ""));
  }
  StatusCode DeleteOp(const std::string& name) override {
    return CodeOf(client_->Delete("/v1/" + name));
  }
  Result<OpPageView> ListOps(int page_size, const std::string& token) override {
    std::string target =
        "/v1/" + kParent.ToString() + "/operations?pageSize=" + std::to_string(page_size);
    if (!token.empty()) target += "&pageToken=" + token;
    testing::Reply reply = client_->Get(target);
    if (reply.status != 200) return {CodeOf(reply), {}};
    json body = reply.json();
    OpPageView view;
    for (const auto& op : body.value("operations", json::array())) view.ops.push_back(OpOf(op));
    view.next_page_token = body.value("nextPageToken", "");
    return {StatusCode::kOk, view};
  }
  bool sweep_all() const override { return false; }

 private:
  static StatusCode CodeOf(const testing::Reply& reply) {
    if (reply.status == 200) return StatusCode::kOk;
    json body = reply.json();
    RC_ASSERT(body.is_object() && body.contains("error"));
    RC_ASSERT(body["error"].value("code", 0) == reply.status);
    auto code = StatusCodeFromName(body["error"].value("status", ""));
    RC_ASSERT(code.has_value());
    RC_ASSERT(HttpStatusFor(*code) == reply.status);
    return *code;
  }
  static std::optional<Timestamp> Time(const json& job, const char* key) {
    if (!job.contains(key)) return std::nullopt;
    auto t = model::ParseTimestamp(job[key].get<std::string>());
    RC_ASSERT(t.has_value());
    return t;
  }
  static JobView JobOf(const json& job) {
    JobView v;
    v.name = job.value("name", "");
    v.display_name = job.value("displayName", "");
    if (job.contains("labels")) v.labels = job["labels"].get<std::map<std::string, std::string>>();
    auto state = model::EnumFromName<JobState>(job.value("state", ""));
    RC_ASSERT(state.has_value());
    v.state = *state;
    v.create = Time(job, "createTime");
    v.start = Time(job, "startTime");
    v.end = Time(job, "endTime");
    v.update = Time(job, "updateTime");
    if (job.contains("error")) {
      v.error = model::RpcStatus{job["error"].value("code", 0), job["error"].value("message", "")};
    }
    return v;
  }
  static Result<JobView> JobResult(const testing::Reply& reply) {
    StatusCode code = CodeOf(reply);
    if (code != StatusCode::kOk) return {code, {}};
    return {code, JobOf(reply.json())};
  }
  static OpView OpOf(const json& op) {
    OpView v;
    v.name = op.value("name", "");
    v.done = op.value("done", false);
    if (op.contains("error")) v.error_code = op["error"].value("code", 0);
    v.response_empty = op.contains("response") && op["response"].value("@type", "") ==
                                                      "type.googleapis.com/google.protobuf.Empty";
    return v;
  }
  static Result<OpView> OpResult(const testing::Reply& reply) {
    StatusCode code = CodeOf(reply);
    if (code != StatusCode::kOk) return {code, {}};
    return {code, OpOf(reply.json())};
  }

  std::unique_ptr<FakeServer> server_;
  std::unique_ptr<testing::TestClient> client_;
};

// What the commands run against: the API, and the names it gave out.
struct Sut {
  Api* api = nullptr;
  std::vector<std::string> jobs;  // by model index
  std::vector<std::string> ops;
  std::map<std::string, JobView> terminal;  // the first terminal view of each job
};

// ===========================================================================
// Checks.

JobView ViewOf(const MJob& j, const std::string& name) {
  JobView v;
  v.name = name;
  v.display_name = j.display_name;
  if (j.team) v.labels["team"] = *j.team;
  v.state = j.state;
  v.create = j.create;
  v.start = j.start;
  v.end = j.end;
  v.update = j.update;
  if (j.error) v.error = model::RpcStatus{j.error->code, j.error->message};
  return v;
}

JobView Expected(const Model& m, const Sut& sut, int k) { return ViewOf(m.jobs[k], sut.jobs[k]); }

// The invariants, on any job as observed, model or not.
void CheckInvariants(Sut& sut, const JobView& v) {
  auto expect = [&v](bool ok, const char* what) {
    if (!ok) RC_FAIL(std::string(what) + " does not hold for " + rc::toString(v));
  };
  bool terminal = model::IsTerminal(v.state);
  expect(v.end.has_value() == terminal, "endTime set <=> terminal");
  expect((v.state == JobState::kCancelled) == (v.error.has_value() && v.error->code == 1),
         "CANCELLED <=> error.code 1");
  expect(v.create.has_value() && v.update.has_value(), "createTime and updateTime set");
  expect(*v.update >= *v.create, "createTime <= updateTime");
  if (v.start) expect(*v.start >= *v.create, "createTime <= startTime");
  if (v.start && v.end) expect(*v.start <= *v.end, "startTime <= endTime");
  if (v.end) expect(*v.end == *v.update, "endTime == updateTime");
  auto seen = sut.terminal.find(v.name);
  if (seen != sut.terminal.end()) {
    if (!(v == seen->second)) {
      RC_FAIL("a terminal state is absorbing, but " + rc::toString(seen->second) + " became " +
              rc::toString(v));
    }
  } else if (terminal) {
    sut.terminal.emplace(v.name, v);
  }
}

void CheckJob(const Model& m, Sut& sut, int k, const JobView& actual) {
  CheckInvariants(sut, actual);
  JobView want = Expected(m, sut, k);
  if (!(actual == want)) {
    RC_FAIL("job #" + std::to_string(k) + " differs from the model\n  actual: " +
            rc::toString(actual) + "\n  model:  " + rc::toString(want));
  }
}

// A deleted (or never created) job is NOT_FOUND everywhere.
void CheckGone(Sut& sut, const std::string& name) {
  RC_ASSERT(sut.api->Peek(name).code == StatusCode::kNotFound);
  RC_ASSERT(sut.api->Get(name).code == StatusCode::kNotFound);
  RC_ASSERT(sut.api->Cancel(name) == StatusCode::kNotFound);
  RC_ASSERT(sut.api->Delete(name).code == StatusCode::kNotFound);
  RC_ASSERT(sut.api->SetLifecycle(name, LifecycleSettings{}) == StatusCode::kNotFound);
  RC_ASSERT(sut.api->Force(name, JobState::kRunning).code == StatusCode::kNotFound);
}

// After every command: in-process, every job against the model.
void Sweep(const Model& m, Sut& sut) {
  if (!sut.api->sweep_all()) return;
  for (size_t k = 0; k < m.jobs.size(); ++k) {
    auto peek = sut.api->Peek(sut.jobs[k]);
    if (m.jobs[k].exists) {
      RC_ASSERT(peek.code == StatusCode::kOk);
      CheckJob(m, sut, static_cast<int>(k), peek.value);
    } else {
      RC_ASSERT(peek.code == StatusCode::kNotFound);
    }
  }
}

void CheckOp(const Model& m, const Sut& sut, int o, const OpView& v) {
  const MOp& op = m.ops[o];
  RC_ASSERT(v.name == sut.ops[o]);
  RC_ASSERT(v.done == op.done);
  RC_ASSERT(v.error_code == op.error_code);
  RC_ASSERT(v.response_empty == (op.done && !op.error_code));
}

// ===========================================================================
// Commands.

using Cmd = rc::state::Command<Model, Sut>;

// A job index (any job ever created, deleted ones included), or -1 for a
// name that was never given out.
int PickJob(const Model& m) {
  if (m.jobs.empty()) return -1;
  return *rc::gen::weightedOneOf<int>(
      {{1, rc::gen::just(-1)}, {12, rc::gen::inRange<int>(0, static_cast<int>(m.jobs.size()))}});
}

std::string JobName(const Sut& sut, int k) { return k < 0 ? kUnknownJob : sut.jobs[k]; }
// Shrinking drops commands: an index must still name a job (or be -1).
bool ValidJob(const Model& m, int k) { return k < static_cast<int>(m.jobs.size()); }

rc::Gen<LifecycleSettings> GenSettings() {
  return rc::gen::exec([] {
    LifecycleSettings s;
    auto opt = [](std::vector<std::optional<Duration>> choices) {
      return *rc::gen::elementOf(choices);
    };
    s.queued_for = opt({std::nullopt, Duration{0}, milliseconds(500), seconds(1)});
    s.pending_for = opt({std::nullopt, Duration{0}, seconds(1), seconds(2)});
    s.running_for = opt({std::nullopt, seconds(1), seconds(3), hours(4)});
    s.cancelling_for = opt({std::nullopt, Duration{0}, milliseconds(500), seconds(1)});
    s.cancelling_polls = *rc::gen::element(0, 0, 1, 2);
    s.outcome = *rc::gen::element(JobState::kSucceeded, JobState::kFailed);
    s.cancel_effect = *rc::gen::element(LifecycleSettings::CancelEffect::kCancels,
                                        LifecycleSettings::CancelEffect::kCancels,
                                        LifecycleSettings::CancelEffect::kFinishesFirst);
    return s;
  });
}

std::string Show(const LifecycleSettings& s) {
  auto d = [](const std::optional<Duration>& x) {
    return x ? model::FormatDuration(*x) : std::string("hold");
  };
  return "{queued " + d(s.queued_for) + ", pending " + d(s.pending_for) + ", running " +
         d(s.running_for) + ", cancelling " + d(s.cancelling_for) + ", polls " +
         std::to_string(s.cancelling_polls) + ", outcome " +
         std::string(model::EnumName(s.outcome)) +
         (s.cancel_effect == LifecycleSettings::CancelEffect::kCancels ? ", cancels}"
                                                                       : ", finishes first}");
}

struct Create : Cmd {
  std::string display_name = *rc::gen::element<std::string>("alpha", "beta", "gamma", "delta-1");
  std::optional<std::string> team = *rc::gen::element<std::optional<std::string>>(
      std::nullopt, std::string("a"), std::string("b"));

  void apply(Model& m) const override { ModelCreate(m, display_name, team); }
  void run(const Model& before, Sut& sut) const override {
    Model m = before;
    ModelCreate(m, display_name, team);
    JobView v = sut.api->Create(display_name, team);
    RC_ASSERT(std::find(sut.jobs.begin(), sut.jobs.end(), v.name) == sut.jobs.end());
    RC_ASSERT(model::ParseNasJobName(v.name).has_value());
    sut.jobs.push_back(v.name);
    // The answer: QUEUED now, whatever is due at once.
    JobView want;
    want.name = v.name;
    want.display_name = display_name;
    if (team) want.labels["team"] = *team;
    want.state = JobState::kQueued;
    want.create = want.update = m.now;
    CheckInvariants(sut, v);
    RC_ASSERT(v == want);
    Sweep(m, sut);
  }
  void show(std::ostream& os) const override {
    os << "Create(" << display_name << ", team " << team.value_or("-") << ")";
  }
};

struct Get : Cmd {
  int k;
  explicit Get(const Model& m) : k(PickJob(m)) {}
  void checkPreconditions(const Model& m) const override { RC_PRE(ValidJob(m, k)); }
  void apply(Model& m) const override {
    if (Live(m, k)) CountRead(m.jobs[k], m.now);
  }
  void run(const Model& before, Sut& sut) const override {
    Model m = before;
    apply(m);
    auto got = sut.api->Get(JobName(sut, k));
    if (Live(m, k)) {
      RC_ASSERT(got.code == StatusCode::kOk);
      CheckJob(m, sut, k, got.value);
    } else {
      RC_ASSERT(got.code == StatusCode::kNotFound);
    }
    Sweep(m, sut);
  }
  void show(std::ostream& os) const override { os << "Get(#" << k << ")"; }
};

struct List : Cmd {
  int filter = *rc::gen::inRange<int>(0, static_cast<int>(Filters().size()));
  std::vector<int> sizes = *rc::gen::resize(
      8, rc::gen::nonEmpty(rc::gen::container<std::vector<int>>(rc::gen::inRange(1, 6))));
  std::vector<Between> between;

  explicit List(const Model& m) {
    int n = static_cast<int>(m.jobs.size()) + 4;
    between = *rc::gen::resize(
        8, rc::gen::nonEmpty(rc::gen::container<std::vector<Between>>(rc::gen::exec([n] {
          Between b;
          b.kind = *rc::gen::element(Between::kNothing, Between::kNothing, Between::kCreate,
                                     Between::kDelete);
          b.target = *rc::gen::inRange(0, n);
          return b;
        }))));
  }
  void apply(Model& m) const override { ModelWalk(m, filter, sizes, between); }
  void run(const Model& before, Sut& sut) const override {
    Model m = before;
    Walk walk = ModelWalk(m, filter, sizes, between);
    // The walk against the system, with the same mutations between pages.
    std::vector<std::string> visited;
    std::string token;
    size_t created = 0;
    for (size_t i = 0; i < walk.pages.size(); ++i) {
      const size_t size = static_cast<size_t>(sizes[i % sizes.size()]);
      auto page = sut.api->List(Filters()[filter].text, static_cast<int>(size), token);
      RC_ASSERT(page.code == StatusCode::kOk);
      const ExpectedPage& want = walk.pages[i];
      RC_ASSERT(page.value.jobs.size() == want.jobs.size());
      RC_ASSERT(page.value.jobs.size() <= size);
      RC_ASSERT(page.value.next_page_token.empty() == !want.more);
      for (size_t p = 0; p < want.jobs.size(); ++p) {
        // The whole job: as the model has it when the walk ends (no time passes).
        CheckJob(m, sut, want.jobs[p], page.value.jobs[p]);
        visited.push_back(page.value.jobs[p].name);
      }
      token = page.value.next_page_token;
      if (token.empty()) break;
      const Between& b = between[i % between.size()];
      if (b.kind == Between::kCreate) {
        JobView v = sut.api->Create("alpha", std::string("b"));
        sut.jobs.push_back(v.name);
        ++created;
      } else if (b.kind == Between::kDelete) {
        const std::string name = b.target < static_cast<int>(sut.jobs.size())
                                     ? sut.jobs[b.target]
                                     : std::string(kUnknownJob);
        auto op = sut.api->Delete(name);
        if (op.code == StatusCode::kOk) sut.ops.push_back(op.value.name);
      }
    }
    RC_ASSERT(token.empty());
    RC_ASSERT(created == walk.created.size());
    // Exactly once, newest first, none of the jobs created meanwhile, every
    // job that matched at the start and still exists (a job deleted during
    // the walk may or may not have been seen: the model says which).
    std::set<std::string> unique(visited.begin(), visited.end());
    RC_ASSERT(unique.size() == visited.size());
    std::vector<size_t> order;
    for (const auto& name : visited) {
      order.push_back(static_cast<size_t>(std::find(sut.jobs.begin(), sut.jobs.end(), name) -
                                          sut.jobs.begin()));
    }
    RC_ASSERT(std::is_sorted(order.rbegin(), order.rend()));
    for (int k : walk.created) RC_ASSERT(!unique.contains(sut.jobs[k]));
    for (int k : walk.matched_first) {
      if (m.jobs[k].exists) RC_ASSERT(unique.contains(sut.jobs[k]));
    }
    for (size_t k = 0; k < before.jobs.size(); ++k) {  // gone before the walk: never seen
      if (!before.jobs[k].exists) RC_ASSERT(!unique.contains(sut.jobs[k]));
    }
    Sweep(m, sut);
  }
  void show(std::ostream& os) const override {
    os << "List(" << Filters()[filter].text << ", sizes";
    for (int s : sizes) os << " " << s;
    os << ", between";
    for (const auto& b : between) {
      os << " "
         << (b.kind == Between::kNothing  ? std::string("-")
             : b.kind == Between::kCreate ? std::string("create")
                                          : "delete#" + std::to_string(b.target));
    }
    os << ")";
  }
};

struct Cancel : Cmd {
  int k;
  explicit Cancel(const Model& m) : k(PickJob(m)) {}
  void checkPreconditions(const Model& m) const override { RC_PRE(ValidJob(m, k)); }
  StatusCode Do(Model& m) const {
    if (!Live(m, k)) return StatusCode::kNotFound;
    StatusCode code = ModelCancel(m.jobs[k], m.now);
    CatchUp(m.jobs[k], m.now);  // a cancellation may take effect at once
    return code;
  }
  void apply(Model& m) const override { Do(m); }
  void run(const Model& before, Sut& sut) const override {
    Model m = before;
    StatusCode want = Do(m);
    RC_ASSERT(sut.api->Cancel(JobName(sut, k)) == want);
    if (Live(m, k) && !sut.api->sweep_all()) {
      auto peek = sut.api->Peek(sut.jobs[k]);
      RC_ASSERT(peek.code == StatusCode::kOk);
      CheckJob(m, sut, k, peek.value);
    }
    Sweep(m, sut);
  }
  void show(std::ostream& os) const override { os << "Cancel(#" << k << ")"; }
};

struct Delete : Cmd {
  int k;
  explicit Delete(const Model& m) : k(PickJob(m)) {}
  void checkPreconditions(const Model& m) const override { RC_PRE(ValidJob(m, k)); }
  void apply(Model& m) const override { ModelDelete(m, k); }
  void run(const Model& before, Sut& sut) const override {
    Model m = before;
    auto o = ModelDelete(m, k);
    auto got = sut.api->Delete(JobName(sut, k));
    if (!o) {
      RC_ASSERT(got.code == StatusCode::kNotFound);
    } else {
      RC_ASSERT(got.code == StatusCode::kOk);
      RC_ASSERT(std::find(sut.ops.begin(), sut.ops.end(), got.value.name) == sut.ops.end());
      sut.ops.push_back(got.value.name);
      CheckOp(m, sut, *o, got.value);
      if (!m.jobs[k].exists) CheckGone(sut, sut.jobs[k]);
    }
    Sweep(m, sut);
  }
  void show(std::ostream& os) const override { os << "Delete(#" << k << ")"; }
};

struct Advance : Cmd {
  Duration by =
      *rc::gen::element<Duration>(Duration{0}, milliseconds(100), milliseconds(499),
                                  milliseconds(500), seconds(1), seconds(2), seconds(5), hours(4));
  void apply(Model& m) const override {
    m.now += by;
    CatchUpAll(m);
  }
  void run(const Model& before, Sut& sut) const override {
    Model m = before;
    apply(m);
    sut.api->Advance(by);
    Sweep(m, sut);
  }
  void show(std::ostream& os) const override {
    os << "Advance(" << model::FormatDuration(by) << ")";
  }
};

struct SetLifecycle : Cmd {
  int k;  // -2: the default
  LifecycleSettings settings = *GenSettings();
  explicit SetLifecycle(const Model& m) : k(*rc::gen::element(0, 1) == 0 ? -2 : PickJob(m)) {}
  void checkPreconditions(const Model& m) const override { RC_PRE(k == -2 || ValidJob(m, k)); }
  void apply(Model& m) const override {
    if (k == -2) {
      m.defaults = settings;
      for (auto& j : m.jobs) {
        if (j.exists && !j.own_settings) {
          j.settings = settings;
          j.settings_since = m.now;
        }
      }
    } else if (Live(m, k)) {
      m.jobs[k].settings = settings;
      m.jobs[k].settings_since = m.now;
      m.jobs[k].own_settings = true;
    }
    CatchUpAll(m);  // what the new settings make due at once
  }
  void run(const Model& before, Sut& sut) const override {
    Model m = before;
    apply(m);
    std::optional<std::string> name;
    if (k != -2) name = JobName(sut, k);
    StatusCode want = k == -2 || Live(m, k) ? StatusCode::kOk : StatusCode::kNotFound;
    RC_ASSERT(sut.api->SetLifecycle(name, settings) == want);
    Sweep(m, sut);
  }
  void show(std::ostream& os) const override {
    os << "SetLifecycle(" << (k == -2 ? std::string("default") : "#" + std::to_string(k)) << ", "
       << Show(settings) << ")";
  }
};

struct Force : Cmd {
  int k;
  JobState state = *rc::gen::element(JobState::kQueued, JobState::kPending, JobState::kRunning,
                                     JobState::kCancelling, JobState::kSucceeded, JobState::kFailed,
                                     JobState::kCancelled);
  explicit Force(const Model& m) : k(PickJob(m)) {}
  void checkPreconditions(const Model& m) const override { RC_PRE(ValidJob(m, k)); }
  // The job as the forced state leaves it (what the call answers), before
  // what is then due at once.
  std::optional<MJob> Do(Model& m) const {
    if (!Live(m, k)) return std::nullopt;
    ModelForce(m.jobs[k], state, m.now);
    MJob answered = m.jobs[k];
    CatchUp(m.jobs[k], m.now);
    return answered;
  }
  void apply(Model& m) const override { Do(m); }
  void run(const Model& before, Sut& sut) const override {
    Model m = before;
    auto answered = Do(m);
    auto got = sut.api->Force(JobName(sut, k), state);
    if (!answered) {
      RC_ASSERT(got.code == StatusCode::kNotFound);
    } else {
      RC_ASSERT(got.code == StatusCode::kOk);
      sut.terminal.erase(sut.jobs[k]);  // a forced state may leave a terminal one
      CheckInvariants(sut, got.value);
      RC_ASSERT(got.value == ViewOf(*answered, sut.jobs[k]));
    }
    Sweep(m, sut);
  }
  void show(std::ostream& os) const override {
    os << "Force(#" << k << ", " << model::EnumName(state) << ")";
  }
};

// A deleted job, probed through every call and every list.
struct ProbeDeleted : Cmd {
  int k = -1;  // a deleted job, or a name never given out
  explicit ProbeDeleted(const Model& m) {
    std::vector<int> gone;
    for (size_t i = 0; i < m.jobs.size(); ++i) {
      if (!m.jobs[i].exists) gone.push_back(static_cast<int>(i));
    }
    if (!gone.empty()) k = *rc::gen::elementOf(gone);
  }
  void checkPreconditions(const Model& m) const override {
    RC_PRE(ValidJob(m, k) && (k < 0 || !Live(m, k)));
  }
  void run(const Model& m, Sut& sut) const override {
    std::string name = JobName(sut, k);
    CheckGone(sut, name);
    for (const auto& filter : Filters()) {
      auto page = sut.api->List(filter.text, 1000, "");
      RC_ASSERT(page.code == StatusCode::kOk);
      for (const auto& job : page.value.jobs) RC_ASSERT(job.name != name);
    }
    Sweep(m, sut);
  }
  void show(std::ostream& os) const override { os << "ProbeDeleted(#" << k << ")"; }
};

int PickOp(const Model& m) {
  if (m.ops.empty()) return -1;
  return *rc::gen::weightedOneOf<int>(
      {{1, rc::gen::just(-1)}, {8, rc::gen::inRange<int>(0, static_cast<int>(m.ops.size()))}});
}
std::string OpName(const Sut& sut, int o) { return o < 0 ? kUnknownOp : sut.ops[o]; }
bool LiveOp(const Model& m, int o) { return o >= 0 && m.ops[o].exists; }
bool ValidOp(const Model& m, int o) { return o < static_cast<int>(m.ops.size()); }

struct GetOp : Cmd {
  int o;
  explicit GetOp(const Model& m) : o(PickOp(m)) {}
  void checkPreconditions(const Model& m) const override { RC_PRE(ValidOp(m, o)); }
  void apply(Model& m) const override {
    if (!LiveOp(m, o)) return;
    MOp& op = m.ops[o];
    if (!op.done && --op.reads_left <= 0) FinishOp(m, op);
  }
  void run(const Model& before, Sut& sut) const override {
    Model m = before;
    apply(m);
    auto got = sut.api->GetOp(OpName(sut, o));
    if (!LiveOp(m, o)) {
      RC_ASSERT(got.code == StatusCode::kNotFound);
    } else {
      RC_ASSERT(got.code == StatusCode::kOk);
      CheckOp(m, sut, o, got.value);
      int k = m.ops[o].job;
      if (!m.jobs[k].exists) CheckGone(sut, sut.jobs[k]);
    }
    Sweep(m, sut);
  }
  void show(std::ostream& os) const override { os << "GetOp(#" << o << ")"; }
};

struct CancelOp : Cmd {
  int o;
  explicit CancelOp(const Model& m) : o(PickOp(m)) {}
  void checkPreconditions(const Model& m) const override { RC_PRE(ValidOp(m, o)); }
  StatusCode Do(Model& m) const {
    if (!LiveOp(m, o)) return StatusCode::kNotFound;
    MOp& op = m.ops[o];
    if (op.done) return StatusCode::kFailedPrecondition;
    op.done = true;
    op.error_code = static_cast<int>(StatusCode::kCancelled);
    return StatusCode::kOk;
  }
  void apply(Model& m) const override { Do(m); }
  void run(const Model& before, Sut& sut) const override {
    Model m = before;
    RC_ASSERT(sut.api->CancelOp(OpName(sut, o)) == Do(m));
    Sweep(m, sut);
  }
  void show(std::ostream& os) const override { os << "CancelOp(#" << o << ")"; }
};

struct DeleteOp : Cmd {
  int o;
  explicit DeleteOp(const Model& m) : o(PickOp(m)) {}
  void checkPreconditions(const Model& m) const override { RC_PRE(ValidOp(m, o)); }
  void apply(Model& m) const override {
    if (LiveOp(m, o)) m.ops[o].exists = false;
  }
  void run(const Model& before, Sut& sut) const override {
    Model m = before;
    apply(m);
    StatusCode want = LiveOp(before, o) ? StatusCode::kOk : StatusCode::kNotFound;
    RC_ASSERT(sut.api->DeleteOp(OpName(sut, o)) == want);
    Sweep(m, sut);
  }
  void show(std::ostream& os) const override { os << "DeleteOp(#" << o << ")"; }
};

struct ListOps : Cmd {
  int size = *rc::gen::inRange(1, 6);
  void run(const Model& m, Sut& sut) const override {
    std::vector<int> want;
    for (size_t o = 0; o < m.ops.size(); ++o) {
      if (m.ops[o].exists) want.push_back(static_cast<int>(o));
    }
    std::string token;
    size_t seen = 0;
    for (int i = 0; i < 200; ++i) {
      auto page = sut.api->ListOps(size, token);
      RC_ASSERT(page.code == StatusCode::kOk);
      RC_ASSERT(page.value.ops.size() <= static_cast<size_t>(size));
      for (const auto& op : page.value.ops) {
        RC_ASSERT(seen < want.size());
        CheckOp(m, sut, want[seen++], op);  // oldest first
      }
      token = page.value.next_page_token;
      if (token.empty()) break;
    }
    RC_ASSERT(token.empty());
    RC_ASSERT(seen == want.size());
  }
  void show(std::ostream& os) const override { os << "ListOps(" << size << ")"; }
};

// ===========================================================================
// The properties.

void RunModel(Api& api, int max_commands) {
  Model model;
  model.defaults = *GenSettings();
  model.delete_polls = *rc::gen::element(0, 0, 1, 2);
  api.Prepare(model.defaults, model.delete_polls);
  Sut sut;
  sut.api = &api;
  auto commands = *rc::gen::resize(
      max_commands,
      rc::state::gen::commands(
          model,
          rc::state::gen::execOneOfWithArgs<Create, Create, Create, Get, Get, List, Cancel, Cancel,
                                            Delete, Advance, Advance, Advance, SetLifecycle, Force,
                                            ProbeDeleted, GetOp, CancelOp, DeleteOp, ListOps>()));
  RC_TAG(commands.size() < 20 ? "short" : "long");
  rc::state::runAll(commands, model, sut);
}

// Runs `property` with at most `max_success` cases (RC_PARAMS may ask for fewer).
template <typename Property>
void CheckWithAtMost(int max_success, Property property) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  rc::detail::TestMetadata metadata;
  metadata.id = std::string(info->test_suite_name()) + "/" + info->name();
  metadata.description = info->name();
  rc::detail::TestParams params = rc::detail::configuration().testParams;
  params.maxSuccess = std::min(params.maxSuccess, max_success);
  auto result = rc::detail::checkTestable(std::move(property), metadata, params);
  if (!result.template is<rc::detail::SuccessResult>()) {
    std::ostringstream message;
    rc::detail::printResultMessage(result, message);
    FAIL() << message.str();
  }
}

TEST(StoreModelTest, JobAndOperationStoresFollowTheModel) {
  CheckWithAtMost(100, [] {
    StoreApi api;
    RunModel(api, 100);
  });
}

TEST(StoreModelTest, HttpSurfaceFollowsTheModel) {
  CheckWithAtMost(20, [] {
    HttpApi api;
    RunModel(api, 40);
  });
}

}  // namespace
}  // namespace nasfake
