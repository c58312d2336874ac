// nasfake_soak: a long run of mixed traffic against one in-process FakeServer,
// to find leaks, slow growth and rare failures that short tests miss. Not in
// CI; run it by hand:
//
//   nasfake_soak [--threads K] [--seconds S] [--interval S] [--max-jobs N]
//                [--keep-journal] [--max-rss-growth-mib M]
//
// K client threads (keep-alive loopback connections) each create, get, list,
// cancel and delete their own jobs (at most N live per thread) and read a few
// shared ones, until S seconds have passed. Each delete's operation is read
// and then deleted too, so a correct fake holds a bounded amount of state.
// Virtual time moves a minute per second, so jobs go through their states.
// Every interval prints requests, errors, resident memory (from
// /proc/self/statm), live jobs and the journal's peak size; the journal is
// cleared every second unless --keep-journal (it keeps up to 100 000 entries
// by design, which is most of the memory a busy fake holds).
//
// Exit status: 0 when there were no errors and RSS grew less than M MiB
// (default 64) between the first interval and the end; 1 otherwise.
#include <httplib.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "fake/server/fake_server.h"

namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

struct Options {
  int threads = 8;
  double seconds = 60;
  double interval = 5;
  int max_jobs = 20;
  bool keep_journal = false;
  double max_rss_growth_mib = 64;
};

[[noreturn]] void Usage(const char* why) {
  std::fprintf(stderr,
               "nasfake_soak: %s\nusage: nasfake_soak [--threads K] [--seconds S] [--interval S] "
               "[--max-jobs N] [--keep-journal] [--max-rss-growth-mib M]\n",
               why);
  std::exit(2);
}

Options ParseOptions(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> double {
      if (i + 1 >= argc) Usage(("missing value for " + arg).c_str());
      char* end = nullptr;
      double v = std::strtod(argv[++i], &end);
      if (end == argv[i] || *end != '\0' || v <= 0) Usage(("bad value for " + arg).c_str());
      return v;
    };
    if (arg == "--threads") {
      o.threads = static_cast<int>(value());
    } else if (arg == "--seconds") {
      o.seconds = value();
    } else if (arg == "--interval") {
      o.interval = value();
    } else if (arg == "--max-jobs") {
      o.max_jobs = static_cast<int>(value());
    } else if (arg == "--max-rss-growth-mib") {
      o.max_rss_growth_mib = value();
    } else if (arg == "--keep-journal") {
      o.keep_journal = true;
    } else {
      Usage(("unknown flag " + arg).c_str());
    }
  }
  if (o.threads < 1 || o.threads > 512) Usage("--threads must be 1..512");
  return o;
}

double RssMib() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return static_cast<double>(resident) * static_cast<double>(::sysconf(_SC_PAGESIZE)) /
         (1024.0 * 1024.0);
}

struct Counters {
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> errors{0};
};

// One client thread's loop; returns at `deadline`.
void Client(int port, int index, const Options& options, const std::string& create_body,
            const std::vector<std::string>& shared, Clock::time_point deadline,
            Counters& counters) {
  httplib::Client client("127.0.0.1", port);
  client.set_keep_alive(true);
  client.set_tcp_nodelay(true);  // head and body in separate writes: no 40 ms Nagle waits
  client.set_connection_timeout(5, 0);
  client.set_read_timeout(10, 0);
  client.set_write_timeout(10, 0);
  const std::string parent = "/v1/projects/123456789012/locations/us-central1";
  std::mt19937 rng(static_cast<unsigned>(index) + 1);
  std::vector<std::string> own;
  int reported = 0;
  auto expect = [&](const httplib::Result& r, std::initializer_list<int> ok, const char* what) {
    counters.requests.fetch_add(1, std::memory_order_relaxed);
    bool fine = false;
    if (r) {
      for (int status : ok) fine = fine || r->status == status;
    }
    if (!fine) {
      counters.errors.fetch_add(1, std::memory_order_relaxed);
      if (reported++ < 5) {
        std::fprintf(stderr, "thread %d: %s: %s\n", index, what,
                     r ? (std::to_string(r->status) + " " + r->body.substr(0, 200)).c_str()
                       : httplib::to_string(r.error()).c_str());
      }
    }
    return fine;
  };
  while (Clock::now() < deadline) {
    int dice = std::uniform_int_distribution<int>(0, 99)(rng);
    if (dice < 15 || own.empty()) {
      if (static_cast<int>(own.size()) >= options.max_jobs) continue;
      auto r = client.Post(parent + "/nasJobs", create_body, "application/json");
      if (expect(r, {200}, "create")) {
        own.push_back(json::parse(r->body, nullptr, false).value("name", ""));
      }
    } else if (dice < 45) {
      const std::string& name =
          dice < 35 ? own[std::uniform_int_distribution<size_t>(0, own.size() - 1)(rng)]
                    : shared[std::uniform_int_distribution<size_t>(0, shared.size() - 1)(rng)];
      expect(client.Get("/v1/" + name), {200}, "get");
    } else if (dice < 60) {
      int size = std::uniform_int_distribution<int>(1, 50)(rng);
      expect(client.Get(parent + "/nasJobs?pageSize=" + std::to_string(size)), {200}, "list");
    } else if (dice < 75) {
      const std::string& name = own[std::uniform_int_distribution<size_t>(0, own.size() - 1)(rng)];
      expect(client.Post("/v1/" + name + ":cancel", "", "application/json"), {200, 400}, "cancel");
    } else if (dice < 90 && static_cast<int>(own.size()) > options.max_jobs / 2) {
      std::string name = own.back();
      own.pop_back();
      auto r = client.Delete("/v1/" + name);
      if (expect(r, {200}, "delete")) {
        std::string op = json::parse(r->body, nullptr, false).value("name", "");
        expect(client.Get("/v1/" + op), {200}, "operation get");
        expect(client.Delete("/v1/" + op), {200}, "operation delete");
      }
    } else {
      expect(client.Get(parent + "/operations?pageSize=10"), {200}, "operations list");
    }
  }
  // Leave no jobs behind, so the final state is the seeded one.
  for (const auto& name : own) {
    auto r = client.Delete("/v1/" + name);
    if (expect(r, {200}, "final delete")) {
      std::string op = json::parse(r->body, nullptr, false).value("name", "");
      expect(client.Delete("/v1/" + op), {200}, "final operation delete");
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = ParseOptions(argc, argv);
  auto started = nasfake::FakeServer::Start();
  if (!started.ok()) {
    std::fprintf(stderr, "nasfake_soak: %s\n", started.status().message().c_str());
    return 1;
  }
  std::unique_ptr<nasfake::FakeServer> server = std::move(*started);

  const std::string create_body =
      R"({"displayName":"soak","nasJobSpec":{"searchSpaceSpec":"mnasnet",)"
      R"("multiTrialAlgorithmSpec":{"multiTrialAlgorithm":"REINFORCEMENT_LEARNING",)"
      R"("metric":{"metricId":"top_1_accuracy","goal":"MAXIMIZE"},"searchTrialSpec":{)"
      R"("searchTrialJobSpec":{"workerPoolSpecs":[{"machineSpec":{"machineType":"n1-standard-4"},)"
      R"("replicaCount":"1","containerSpec":{"imageUri":"gcr.io/p/t:latest"}}]},)"
      R"("maxTrialCount":10,"maxParallelTrialCount":2}}}})";
  std::vector<std::string> shared;
  for (int i = 0; i < 8; ++i) {
    nasfake::model::NasJob job;
    job.display_name = "shared";
    shared.push_back(server->jobs()
                         .Create(nasfake::model::LocationName{"123456789012", "us-central1"}, job)
                         .name);
  }

  std::printf("nasfake_soak: %d threads, %.0f s, report every %.0f s, endpoint %s\n",
              options.threads, options.seconds, options.interval, server->endpoint().c_str());
  std::printf("%8s %12s %10s %8s %10s %10s %8s %8s\n", "time_s", "requests", "req/s", "errors",
              "rss_mib", "growth_mib", "jobs", "journal");  // journal: its peak size

  Counters counters;
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::duration_cast<Clock::duration>(
                                    std::chrono::duration<double>(options.seconds));
  std::vector<std::thread> threads;
  for (int t = 0; t < options.threads; ++t) {
    threads.emplace_back(Client, server->port(), t, std::cref(options), std::cref(create_body),
                         std::cref(shared), deadline, std::ref(counters));
  }

  // Every second (at most): clear the journal (unless --keep-journal) and move
  // virtual time a minute; every interval: report. The loop is bounded: it
  // ends at the deadline, and each wait is at most one second.
  double first_rss = -1, last_rss = RssMib();
  uint64_t last_requests = 0;
  size_t journal_peak = 0;
  auto last = start;
  auto next_report = start + std::chrono::duration_cast<Clock::duration>(
                                 std::chrono::duration<double>(options.interval));
  const auto tick = std::min<Clock::duration>(
      std::chrono::seconds(1),
      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options.interval)));
  for (auto next_tick = start + tick;; next_tick += tick) {
    auto until = std::min(next_tick, deadline);
    std::this_thread::sleep_until(until);
    server->clock()->Advance(std::chrono::minutes(1));
    journal_peak = std::max(journal_peak, server->journal().size());
    if (!options.keep_journal) server->journal().Clear();
    auto now = Clock::now();
    if (now < next_report && until < deadline) continue;
    next_report += std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(options.interval));
    uint64_t requests = counters.requests.load();
    last_rss = RssMib();
    if (first_rss < 0) first_rss = last_rss;
    double secs = std::chrono::duration<double>(now - last).count();
    std::printf("%8.1f %12llu %10.0f %8llu %10.1f %10.1f %8zu %8zu\n",
                std::chrono::duration<double>(now - start).count(),
                static_cast<unsigned long long>(requests),
                secs > 0 ? static_cast<double>(requests - last_requests) / secs : 0.0,
                static_cast<unsigned long long>(counters.errors.load()), last_rss,
                last_rss - first_rss, server->jobs().size(), journal_peak);
    std::fflush(stdout);
    journal_peak = 0;
    last_requests = requests;
    last = now;
    if (until >= deadline) break;
  }
  for (auto& t : threads) t.join();
  last_rss = RssMib();
  const double growth = last_rss - first_rss;
  const uint64_t errors = counters.errors.load();
  const size_t jobs_left = server->jobs().size();
  std::printf(
      "total: %llu requests, %llu errors, RSS %.1f MiB (growth %.1f MiB since the first "
      "interval), %zu jobs left (8 shared)\n",
      static_cast<unsigned long long>(counters.requests.load()),
      static_cast<unsigned long long>(errors), last_rss, growth, jobs_left);
  server->Stop();
  bool ok = errors == 0 && growth < options.max_rss_growth_mib && jobs_left == shared.size();
  std::printf("%s\n", ok ? "PASS" : "FAIL");
  return ok ? 0 : 1;
}
