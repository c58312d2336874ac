// Microbenchmarks of the fake's request path, piece by piece (Google
// Benchmark). Stores of 100 and 100 000 jobs are built once, lazily, and
// shared; the job is the reference's full example (spec, output, labels).
//
//   nasfake_micro_bench --benchmark_filter=Store   # one group
#include <benchmark/benchmark.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bench/bench_common.h"
#include "bench/bench_http.h"
#include "bench/minimal_server.h"
#include "fake/api/router.h"
#include "fake/env.h"
#include "fake/journal/journal.h"
#include "fake/model/json_mapping.h"
#include "fake/model/json_text.h"
#include "fake/model/resource_names.h"
#include "fake/server/fake_server.h"
#include "fake/store/clock.h"
#include "scenarios/engine.h"

namespace nasfake::bench {
namespace {

// A FakeEnv seeded with `n` jobs, built on first use and kept for the run.
FakeEnv& EnvWith(size_t n) {
  static std::map<size_t, std::unique_ptr<FakeEnv>> envs;
  auto& env = envs[n];
  if (!env) {
    env = std::make_unique<FakeEnv>(FakeOptions{});
    SeedJobs(env->jobs(), n);
  }
  return *env;
}

// Job indices visited in a scattered order, as clients polling many jobs do.
size_t NextIndex(size_t& i, size_t n) {
  i = (i + 7919) % n;
  return i;
}

std::vector<model::NasJobName> Names(size_t n) {
  std::vector<model::NasJobName> names;
  names.reserve(n);
  for (size_t i = 0; i < n; ++i) names.push_back(*model::ParseNasJobName(JobName(i)));
  return names;
}

// --- JSON mapping ---------------------------------------------------------

void BM_NasJobToJson(benchmark::State& state) {
  const model::NasJob job = FullJob();
  size_t bytes = 0;
  for (auto _ : state) {
    std::string json = model::ToJson(job);
    bytes = json.size();
    benchmark::DoNotOptimize(json);
  }
  state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_NasJobToJson);

void BM_NasJobFromJson(benchmark::State& state) {
  const std::string text = model::ToJson(FullJob());
  for (auto _ : state) {
    auto parsed = model::ParseJsonText(text);
    auto job = model::NasJobFromJson(*parsed, "nas_job");
    benchmark::DoNotOptimize(job);
  }
}
BENCHMARK(BM_NasJobFromJson);

// --- Routing --------------------------------------------------------------

void BM_ResolveGet(benchmark::State& state) {
  const api::Request request = GetRequest(7);
  for (auto _ : state) {
    auto resolved = api::Resolve(request);
    benchmark::DoNotOptimize(resolved);
  }
}
BENCHMARK(BM_ResolveGet);

// The router's whole GET: parse, route, bind, store, JSON (100 jobs).
void BM_RouterGet(benchmark::State& state) {
  FakeEnv& env = EnvWith(100);
  api::Router router(env);
  const api::Request request = GetRequest(7);
  for (auto _ : state) {
    api::Response response = router.Handle(request);
    if (response.status != 200) state.SkipWithError("GET failed");
    benchmark::DoNotOptimize(response);
  }
}
BENCHMARK(BM_RouterGet);

// --- Scenario matching ----------------------------------------------------

void BM_ScenarioDecide(benchmark::State& state) {
  store::VirtualClock clock;
  scenarios::ScenarioEngine engine(clock);
  engine.SetRules(NonMatchingRules(static_cast<size_t>(state.range(0))), std::nullopt);
  const api::Request request = GetRequest(7);
  const auto resolved = api::Resolve(request);
  for (auto _ : state) {
    auto decision = engine.Decide(request, resolved);
    benchmark::DoNotOptimize(decision);
  }
}
BENCHMARK(BM_ScenarioDecide)->Arg(1)->Arg(20)->Arg(100);

// --- Stores at 100 and 100 000 jobs -----------------------------------------

void BM_StoreGet(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  FakeEnv& env = EnvWith(n);
  const auto names = Names(n);
  size_t i = 0;
  for (auto _ : state) {
    auto job = env.jobs().Get(names[NextIndex(i, n)]);
    benchmark::DoNotOptimize(job);
  }
}
BENCHMARK(BM_StoreGet)->Arg(100)->Arg(100000);

// nasJobs.get's answer as the store keeps it (JSON cached per job version).
void BM_StoreGetJson(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  FakeEnv& env = EnvWith(n);
  const auto names = Names(n);
  size_t i = 0;
  for (auto _ : state) {
    auto json = env.jobs().GetJson(names[NextIndex(i, n)]);
    benchmark::DoNotOptimize(json);
  }
}
BENCHMARK(BM_StoreGetJson)->Arg(100)->Arg(100000);

// One page (the default 100 jobs), first page, no filter.
void BM_StoreList(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  FakeEnv& env = EnvWith(n);
  const auto parent = *model::ParseLocationName(kLocation);
  for (auto _ : state) {
    auto page = env.jobs().List(parent, nullptr, "", 0, "");
    benchmark::DoNotOptimize(page);
  }
}
BENCHMARK(BM_StoreList)->Arg(100)->Arg(100000);

// A cancel of a job already cancelling (the first cancel of each job is the
// only one that moves it; the virtual clock keeps it CANCELLING).
void BM_StoreCancel(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  FakeEnv& env = EnvWith(n);
  const auto names = Names(n);
  size_t i = 0;
  for (auto _ : state) {
    Status status = env.jobs().Cancel(names[NextIndex(i, n)]);
    benchmark::DoNotOptimize(status);
  }
}
BENCHMARK(BM_StoreCancel)->Arg(100)->Arg(100000);

// The API answers through the router (JSON included), at 100 and 100 000 jobs.
void BM_ApiGet(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  FakeEnv& env = EnvWith(n);
  api::Router router(env);
  std::vector<api::Request> requests;
  for (size_t k = 0; k < 64; ++k) requests.push_back(GetRequest((k * 7919) % n));
  size_t k = 0;
  for (auto _ : state) {
    api::Response response = router.Handle(requests[k++ % requests.size()]);
    benchmark::DoNotOptimize(response);
  }
}
BENCHMARK(BM_ApiGet)->Arg(100)->Arg(100000);

void BM_ApiListPage(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  FakeEnv& env = EnvWith(n);
  api::Router router(env);
  const api::Request request = ListRequest();
  for (auto _ : state) {
    api::Response response = router.Handle(request);
    if (response.status != 200) state.SkipWithError("list failed");
    benchmark::DoNotOptimize(response);
  }
}
BENCHMARK(BM_ApiListPage)->Arg(100)->Arg(100000);

// --- Journal --------------------------------------------------------------

// The answer to a GET of the reference's full job.
api::Response JobResponse() {
  api::Response response;
  response.body = model::ToJson(FullJob());
  return response;
}

// A journal entry for a GET, as Tenant::Handle records it: Begin, then Complete.
void AppendGet(journal::Journal& journal, const api::Request& request,
               const api::Response& response) {
  const uint64_t id = journal.Begin({.request = request,
                                     .operation = "nasJobs.get",
                                     .resource = std::string_view(request.target).substr(4),
                                     .virtual_time = {},
                                     .real_time = {}});
  journal.Complete(id, {.rule = "", .action = "pass", .status = 200, .response = response});
}

// Appending at capacity (the default 100 000 entries, filled first): each
// append drops the oldest entry, the steady state of a long-running fake.
void BM_JournalAppend(benchmark::State& state) {
  const api::Request request = GetRequest(7);
  const api::Response response = JobResponse();
  static journal::Journal journal;
  while (journal.size() < journal::Journal::kDefaultCapacity) {
    AppendGet(journal, request, response);
  }
  for (auto _ : state) AppendGet(journal, request, response);
  state.counters["entries"] = static_cast<double>(journal.size());
}
BENCHMARK(BM_JournalAppend);

// Appending while the journal fills (a fresh journal every 10 000 entries):
// what the first requests of a test cost.
void BM_JournalAppendFilling(benchmark::State& state) {
  const api::Request request = GetRequest(7);
  const api::Response response = JobResponse();
  auto journal = std::make_unique<journal::Journal>();
  size_t n = 0;
  for (auto _ : state) {
    if (++n % 10000 == 0) {
      state.PauseTiming();
      journal = std::make_unique<journal::Journal>();
      state.ResumeTiming();
    }
    AppendGet(*journal, request, response);
  }
}
BENCHMARK(BM_JournalAppendFilling);

// --- The whole fake in-process (no socket) --------------------------------

// The full fake of the load benchmark: 1 000 jobs, 20 rules, journal on and
// already at its cap (steady state).
std::unique_ptr<FakeServer>& LoadedServer() {
  static std::unique_ptr<FakeServer> server = [] {
    auto started = FakeServer::Start();
    if (!started.ok()) Die(started.status().message());
    SeedJobs((*started)->jobs(), 1000);
    if (Status s = (*started)->LoadScenario(NonMatchingScenario(20)); !s.ok()) Die(s.message());
    const api::Request request = GetRequest(0);
    while ((*started)->journal().size() < journal::Journal::kDefaultCapacity) {
      (void)(*started)->Handle(request);
    }
    return std::move(*started);
  }();
  return server;
}

// FakeServer::Handle on a GET: tenant, journal, 20 rules, router, store, JSON.
// With 4 threads: the same, concurrently (what shared locks cost).
void BM_FakeHandleGet(benchmark::State& state) {
  FakeServer& server = *LoadedServer();
  std::vector<api::Request> requests;
  for (size_t k = 0; k < 64; ++k) requests.push_back(GetRequest((k * 7919) % 1000));
  size_t k = 0;
  for (auto _ : state) {
    api::Response response = server.Handle(requests[k++ % requests.size()]);
    benchmark::DoNotOptimize(response);
  }
}
BENCHMARK(BM_FakeHandleGet)->Threads(1)->Threads(4);

void BM_FakeHandleCancel(benchmark::State& state) {
  FakeServer& server = *LoadedServer();
  std::vector<api::Request> requests;
  for (size_t k = 0; k < 64; ++k) requests.push_back(CancelRequest((k * 7919) % 1000));
  size_t k = 0;
  for (auto _ : state) {
    api::Response response = server.Handle(requests[k++ % requests.size()]);
    benchmark::DoNotOptimize(response);
  }
}
BENCHMARK(BM_FakeHandleCancel);

// --- Start, first answer, stop --------------------------------------------

const std::string kListTarget = std::string("/v1/") + kLocation + "/nasJobs";

void BM_FakeServerStartAnswerStop(benchmark::State& state) {
  for (auto _ : state) {
    auto server = FakeServer::Start();
    if (!server.ok()) state.SkipWithError("start failed");
    Response response = OneShot((*server)->port(), "GET", kListTarget);
    if (response.status != 200) state.SkipWithError("no answer");
    (*server)->Stop();
  }
}
BENCHMARK(BM_FakeServerStartAnswerStop)->UseRealTime()->Unit(benchmark::kMicrosecond);

void BM_MinimalServerStartAnswerStop(benchmark::State& state) {
  for (auto _ : state) {
    MinimalServer server("{}", 1);
    if (!server.Start()) state.SkipWithError("start failed");
    Response response = OneShot(server.port(), "GET", kListTarget);
    if (response.status != 200) state.SkipWithError("no answer");
    server.Stop();
  }
}
BENCHMARK(BM_MinimalServerStartAnswerStop)->UseRealTime()->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace nasfake::bench

BENCHMARK_MAIN();
