// The loopback load benchmark: the full fake (journal on, a 20-rule scenario,
// 1 000 jobs seeded) against a minimal fixed-answer cpp-httplib server
// (bench/minimal_server.h), driven by the same load generator; plus the
// start/stop, callgrind, `nasfake serve` start-up and memory checks of the
// performance targets (README "Performance").
// Prints Markdown.
//
//   nasfake_load_bench [--requests N] [--seconds S] [--rounds R] [--callgrind]
//                      [--nasfake PATH] [--quick] [--only SECTION,…]
//   (sections: load, startstop, callgrind, serve, memory)
//   nasfake_load_bench --serve fake|minimal [--threads N]   (a server process:
//       prints PORT=<port>, serves until its stdin closes; for --callgrind)
//
// Load generator: one thread per connection, blocking sockets, a fixed request
// count shared by the threads and a time bound; keep-alive (one connection per
// thread for the whole run) or new-connection (connect, one request with
// "Connection: close", close). Every request carries
// "Accept-Encoding: gzip, deflate, br"; a compressed answer is counted. Latency
// is from the first byte sent (the connect, in new-connection mode) to the
// last byte of the answer read.
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_common.h"
#include "bench/bench_http.h"
#include "bench/bench_util.h"
#include "bench/minimal_server.h"
#include "fake/server/fake_server.h"

namespace nasfake::bench {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }
double Micros(Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

struct Options {
  size_t requests = 10000;  // per load run (new-connection runs: a quarter)
  double seconds = 10;      // time bound per load run
  int rounds = 5;           // rounds per row (a run against each server); medians shown
  bool callgrind = false;
  bool quick = false;
  std::string nasfake;  // `nasfake` binary, for the serve start-up check
  std::string self;
  std::string only;  // comma-separated sections to run; empty: all
  bool Runs(const std::string& section) const {
    return only.empty() || ("," + only + ",").find("," + section + ",") != std::string::npos;
  }
};

// --- Load generator -----------------------------------------------------------

enum class Kind { kGet, kCancel };

struct LoadSpec {
  Kind kind;
  int connections;
  bool keep_alive;
};

std::string Describe(const LoadSpec& spec) {
  return std::string(spec.kind == Kind::kGet ? "get" : "cancel") + ", " +
         std::to_string(spec.connections) + " conn, " +
         (spec.keep_alive ? "keep-alive" : "new connection");
}

struct LoadResult {
  size_t ok = 0;
  size_t errors = 0;
  size_t compressed = 0;
  double seconds = 0;
  double rps = 0;
  double p50_us = 0;
  double p99_us = 0;
  // CPU time (user + system) the server spent per answered request: the
  // process's CPU time minus the client threads' own. Unlike req/s, barely
  // moved by other load on the machine.
  double server_cpu_us = 0;
};

std::string RequestBytes(Kind kind, size_t job, bool keep_alive) {
  std::string target = "/v1/" + JobName(job);
  if (kind == Kind::kGet) return FormatRequest("GET", target, "", keep_alive);
  return FormatRequest("POST", target + ":cancel", "{}", keep_alive);
}

double CpuMicros(clockid_t clock) {
  timespec ts{};
  ::clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

// Drives the server on `port` (in this process) with `requests` requests, or
// for `max_seconds`, whichever ends first.
LoadResult Drive(int port, const LoadSpec& spec, size_t requests, double max_seconds) {
  std::atomic<int64_t> remaining{static_cast<int64_t>(requests)};
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::atomic<size_t> errors{0}, compressed{0};
  std::vector<std::vector<float>> latencies(spec.connections);
  std::vector<double> client_cpu_us(spec.connections, 0);
  const auto budget =
      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(max_seconds));
  Clock::time_point start;
  std::vector<std::thread> threads;
  for (int t = 0; t < spec.connections; ++t) {
    threads.emplace_back([&, t] {
      std::vector<std::string> bytes;
      for (size_t k = 0; k < 32; ++k) {
        bytes.push_back(
            RequestBytes(spec.kind, (t * 131 + k * 7919) % kSeededJobs, spec.keep_alive));
      }
      auto& lat = latencies[t];
      lat.reserve(requests / spec.connections + 16);
      ++ready;
      while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
      const double cpu0 = CpuMicros(CLOCK_THREAD_CPUTIME_ID);
      const auto deadline = start + budget;
      int fd = -1;
      std::string buf;
      Response response;
      for (size_t k = 0; remaining.fetch_sub(1, std::memory_order_relaxed) > 0; ++k) {
        auto t0 = Clock::now();
        if (t0 > deadline) break;
        if (fd < 0) {
          fd = Connect(port);
          buf.clear();
          if (fd < 0) {
            ++errors;
            continue;
          }
        }
        bool ok = SendAll(fd, bytes[k % bytes.size()]) && ReadResponse(fd, buf, response);
        auto t1 = Clock::now();
        if (!ok || response.status != 200) {
          ++errors;
          ::close(fd);
          fd = -1;
          continue;
        }
        if (response.compressed) ++compressed;
        lat.push_back(static_cast<float>(Micros(t1 - t0)));
        if (!spec.keep_alive) {
          ::close(fd);
          fd = -1;
        }
      }
      if (fd >= 0) ::close(fd);
      client_cpu_us[t] = CpuMicros(CLOCK_THREAD_CPUTIME_ID) - cpu0;
    });
  }
  while (ready.load() < spec.connections) std::this_thread::yield();
  start = Clock::now();
  const double process_cpu0 = CpuMicros(CLOCK_PROCESS_CPUTIME_ID);
  go.store(true, std::memory_order_release);
  for (auto& th : threads) th.join();
  LoadResult result;
  result.seconds = Seconds(Clock::now() - start);
  const double process_cpu = CpuMicros(CLOCK_PROCESS_CPUTIME_ID) - process_cpu0;
  double client_cpu = 0;
  for (double c : client_cpu_us) client_cpu += c;
  std::vector<float> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  result.ok = all.size();
  result.errors = errors;
  result.compressed = compressed;
  result.rps = static_cast<double>(result.ok) / result.seconds;
  if (!all.empty()) {
    result.p50_us = all[all.size() / 2];
    result.p99_us = all[std::min(all.size() - 1, all.size() * 99 / 100)];
    result.server_cpu_us = (process_cpu - client_cpu) / static_cast<double>(all.size());
  }
  return result;
}

// --- The target summary -----------------------------------------------------

std::vector<TargetRow> g_targets;

// `machine_bound`: missed, but the baseline (or the operating system's floor)
// is as slow on this machine, so the cause is not in the fake.
void Target(std::string target, std::string measured, std::string baseline, bool met,
            bool machine_bound = false) {
  g_targets.push_back({std::move(target), std::move(measured), std::move(baseline),
                       met             ? "met"
                       : machine_bound ? "missed here; the baseline is as slow (machine-bound)"
                                       : "**missed**"});
}

// --- 1. Loopback load -----------------------------------------------------------

void LoadSection(const Options& options) {
  auto fake = StartLoadedFake();
  MinimalServer minimal(GetBody(), 64 + 8);
  if (!minimal.Start()) Die("minimal server: cannot start");

  // The fake's journal keeps every request up to its cap (100 000), and the
  // allocator's per-thread arenas grow until the oldest entries are dropped:
  // run twice the cap over HTTP first (64 connections, so every connection
  // thread takes part), so the runs measure the steady state. The Memory
  // section shows what a request costs while the journal fills.
  const size_t warm_up = options.quick ? 5000 : 2 * journal::Journal::kDefaultCapacity;
  Drive(fake->port(), {Kind::kGet, 64, true}, warm_up, 120);
  Drive(minimal.port(), {Kind::kGet, 64, true}, warm_up / 10, 120);

  const std::vector<LoadSpec> specs = {
      {Kind::kGet, 4, true},     {Kind::kGet, 4, false}, {Kind::kCancel, 4, true},
      {Kind::kCancel, 4, false}, {Kind::kGet, 64, true}, {Kind::kCancel, 64, true},
      {Kind::kGet, 1, true},
  };
  std::cout << "\n## Loopback load: full fake vs minimal cpp-httplib server\n\n"
            << "Full fake: journal on (" << warm_up
            << " requests sent first: the journal is at its cap of "
            << journal::Journal::kDefaultCapacity << " entries, the steady state), "
            << kScenarioRules << "-rule scenario (no rule matches), " << kSeededJobs
            << " jobs seeded (the reference's full example). Every request "
            << "sends `Accept-Encoding: gzip, deflate, br`. Per row, " << options.rounds
            << " rounds, each a run against the fake and one against the minimal server (order "
               "alternating), each run "
            << options.requests << " requests (new connection: " << options.requests / 4 << ") or "
            << options.seconds
            << " s. Shown: median req/s; **ratio** = median of the rounds' fake/minimal req/s; "
               "median p50 / p99; server CPU per request (process CPU time minus the client "
               "threads') and its ratio, which other load on the machine barely moves.\n\n"
            << "| load | fake req/s | minimal req/s | ratio | fake p50 / p99 µs | "
               "minimal p50 / p99 µs | server CPU µs/req fake / minimal (ratio) | errors | "
               "compressed |\n"
            << "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const LoadSpec& spec : specs) {
    size_t requests = spec.keep_alive ? options.requests : options.requests / 4;
    std::vector<double> ratios, f_rps, m_rps, f_p50, m_p50, f_p99, m_p99, f_cpu, m_cpu;
    size_t f_err = 0, m_err = 0, f_gz = 0, m_gz = 0;
    for (int r = 0; r < options.rounds; ++r) {
      LoadResult f, m;
      if (r % 2 == 0) {
        f = Drive(fake->port(), spec, requests, options.seconds);
        m = Drive(minimal.port(), spec, requests, options.seconds);
      } else {
        m = Drive(minimal.port(), spec, requests, options.seconds);
        f = Drive(fake->port(), spec, requests, options.seconds);
      }
      ratios.push_back(f.rps / m.rps);
      f_rps.push_back(f.rps);
      m_rps.push_back(m.rps);
      f_p50.push_back(f.p50_us);
      m_p50.push_back(m.p50_us);
      f_p99.push_back(f.p99_us);
      m_p99.push_back(m.p99_us);
      f_cpu.push_back(f.server_cpu_us);
      m_cpu.push_back(m.server_cpu_us);
      f_err += f.errors;
      m_err += m.errors;
      f_gz += f.compressed;
      m_gz += m.compressed;
    }
    const double ratio = Median(ratios), fp99 = Median(f_p99), mp99 = Median(m_p99);
    const double fcpu = Median(f_cpu), mcpu = Median(m_cpu);
    std::cout << "| " << Describe(spec) << " | " << Fixed(Median(f_rps), 0) << " | "
              << Fixed(Median(m_rps), 0) << " | " << Fixed(ratio, 2) << " | "
              << Fixed(Median(f_p50), 0) << " / " << Fixed(fp99, 0) << " | "
              << Fixed(Median(m_p50), 0) << " / " << Fixed(mp99, 0) << " | " << Fixed(fcpu, 1)
              << " / " << Fixed(mcpu, 1) << " (" << Fixed(fcpu / mcpu, 2) << ") | " << f_err
              << " / " << m_err << " | " << f_gz << " / " << m_gz << " |\n"
              << std::flush;
    const std::string cpu_note = " (server CPU ratio " + Fixed(fcpu / mcpu, 2) + ")";
    if (spec.connections == 4 || spec.connections == 64) {
      Target(Describe(spec) + ": req/s ≥ 0.9× minimal", Fixed(ratio, 2) + "×" + cpu_note,
             Fixed(Median(m_rps), 0) + " req/s", ratio >= 0.9);
    }
    if (spec.connections == 4 && spec.keep_alive) {
      Target(Describe(spec) + ": p99 < 2 ms", Fixed(fp99 / 1000, 2) + " ms",
             Fixed(mp99 / 1000, 2) + " ms", fp99 < 2000, fp99 <= 1.2 * mp99);
    }
    if (f_gz != 0) Target(Describe(spec) + ": no compression", "compressed", "", false);
  }
  std::cout << "\nFake journal after the load: " << fake->journal().size() << " entries kept, "
            << fake->journal().dropped() << " dropped (capacity "
            << journal::Journal::kDefaultCapacity << ").\n";
}

// --- 2. Start, first answer, stop ------------------------------------------

const std::string kListTarget = std::string("/v1/") + kLocation + "/nasJobs";

void StartStopSection(const Options& options) {
  const int iterations = options.quick ? 50 : 300;
  std::vector<double> fake_us, minimal_us;
  for (int i = 0; i < iterations; ++i) {
    {
      auto t0 = Clock::now();
      auto server = FakeServer::Start();
      if (!server.ok()) Die("fake: " + server.status().message());
      if (OneShot((*server)->port(), "GET", kListTarget).status != 200) Die("fake: no answer");
      (*server)->Stop();
      fake_us.push_back(Micros(Clock::now() - t0));
    }
    {
      auto t0 = Clock::now();
      MinimalServer server("{}", 1);
      if (!server.Start()) Die("minimal: cannot start");
      if (OneShot(server.port(), "GET", kListTarget).status != 200) Die("minimal: no answer");
      server.Stop();
      minimal_us.push_back(Micros(Clock::now() - t0));
    }
  }
  double f = Median(fake_us), m = Median(minimal_us);
  std::cout << "\n## In-process start → first answer → stop\n\n"
            << "| server | median µs | p90 µs |\n|---|---:|---:|\n";
  auto p90 = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() * 9 / 10];
  };
  std::cout << "| FakeServer (" << iterations << " runs) | " << Fixed(f, 0) << " | "
            << Fixed(p90(fake_us), 0) << " |\n"
            << "| minimal (1 worker thread) | " << Fixed(m, 0) << " | " << Fixed(p90(minimal_us), 0)
            << " |\n";
  Target("start → first answer → stop < 0.5 ms (median)", Fixed(f / 1000, 3) + " ms",
         Fixed(m / 1000, 3) + " ms (ratio " + Fixed(f / m, 2) + ")", f < 500, f <= 1.2 * m);

  // Stop() while 64 clients hold idle keep-alive connections (each has had
  // one answer, Accept-Encoding: gzip, deflate, br).
  constexpr int kIdleClients = 64;
  auto open_idle = [&](int port) {
    std::vector<int> fds;
    for (int c = 0; c < kIdleClients; ++c) {
      int fd = Connect(port);
      std::string buf;
      Response response;
      if (fd < 0 || !SendAll(fd, FormatRequest("GET", kListTarget, "", true)) ||
          !ReadResponse(fd, buf, response) || response.status != 200) {
        Die("idle client: no answer");
      }
      fds.push_back(fd);
    }
    return fds;
  };
  std::vector<double> fake_stop, minimal_stop;
  for (int i = 0; i < (options.quick ? 3 : 20); ++i) {
    auto server = FakeServer::Start();
    if (!server.ok()) Die("fake: " + server.status().message());
    auto fds = open_idle((*server)->port());
    auto t0 = Clock::now();
    (*server)->Stop();
    fake_stop.push_back(Micros(Clock::now() - t0));
    for (int fd : fds) ::close(fd);
  }
  // httplib only notices a stop between requests: an idle connection holds
  // stop() until its keep-alive timeout. Its best setting here is the
  // shortest timeout that still keeps connections alive (1 s); the default is 5 s.
  for (time_t keep_alive : {time_t{1}, time_t{5}}) {
    MinimalServer server("{}", kIdleClients + 8, keep_alive);
    if (!server.Start()) Die("minimal: cannot start");
    auto fds = open_idle(server.port());
    auto t0 = Clock::now();
    server.Stop();
    minimal_stop.push_back(Micros(Clock::now() - t0));
    for (int fd : fds) ::close(fd);
  }
  // The operating system's floor for a thread-per-connection server on
  // std::thread (8 MiB stacks): 64 threads blocked in poll(), woken by one
  // eventfd write, joined.
  std::vector<double> floor_us;
  for (int i = 0; i < (options.quick ? 3 : 20); ++i) {
    int efd = ::eventfd(0, EFD_CLOEXEC);
    std::vector<std::thread> threads;
    for (int c = 0; c < kIdleClients; ++c) {
      threads.emplace_back([efd] {
        pollfd p{efd, POLLIN, 0};
        ::poll(&p, 1, 10000);
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // all asleep in poll()
    auto t0 = Clock::now();
    uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(efd, &one, sizeof one);
    for (auto& t : threads) t.join();
    floor_us.push_back(Micros(Clock::now() - t0));
    ::close(efd);
  }
  double fs = Median(fake_stop);
  double floor = Median(floor_us);
  std::cout << "\nStop() with " << kIdleClients << " idle keep-alive clients: FakeServer median "
            << Fixed(fs / 1000, 2) << " ms (max "
            << Fixed(*std::max_element(fake_stop.begin(), fake_stop.end()) / 1000, 2) << " ms, "
            << fake_stop.size() << " runs); minimal cpp-httplib "
            << Fixed(minimal_stop[0] / 1000, 1) << " ms with a 1 s keep-alive timeout, "
            << Fixed(minimal_stop[1] / 1000, 1)
            << " ms with the default 5 s. The floor for a thread per connection on std::thread "
               "(64 threads with glibc's default 8 MiB stacks asleep in poll(), woken by one "
               "eventfd write, joined): median "
            << Fixed(floor / 1000, 2)
            << " ms; most of it is unmapping stacks, which the fake's 512 KiB connection "
               "stacks avoid (glibc recycles up to 40 MiB of them).\n";
  Target("stop() < 5 ms with 64 idle keep-alive clients", Fixed(fs / 1000, 2) + " ms",
         Fixed(minimal_stop[0] / 1000, 0) + " ms (1 s keep-alive); thread floor " +
             Fixed(floor / 1000, 2) + " ms",
         fs < 5000, fs <= 1.5 * floor);
}

// Child mode: a server until stdin closes.
int Serve(const std::string& which, size_t threads) {
  std::unique_ptr<FakeServer> fake;
  std::unique_ptr<MinimalServer> minimal;
  int port;
  if (which == "fake") {
    fake = StartLoadedFake();
    port = fake->port();
  } else {
    minimal = std::make_unique<MinimalServer>(GetBody(), threads);
    if (!minimal->Start()) Die("minimal: cannot start");
    port = minimal->port();
  }
  std::cout << "PORT=" << port << std::endl;
  char c;
  while (::read(0, &c, 1) > 0) {
  }
  if (fake) fake->Stop();
  if (minimal) minimal->Stop();
  return 0;
}

// --- 3. Instructions per GET (callgrind) -------------------------------------

// GETs cycle over this many jobs, as a client polling its jobs does (the
// first GET of a job after it changes pays for its serialisation; both runs
// pay it for the same jobs, so it cancels out).
constexpr size_t kCallgrindJobs = 64;

// Total instructions of one server process that answered `gets` GETs on one
// keep-alive connection; 0 on failure.
double CallgrindInstructions(const Options& options, const std::string& which, size_t gets) {
  char file[] = "/tmp/nasfake-callgrind-XXXXXX";
  int fd = ::mkstemp(file);
  if (fd < 0) return 0;
  ::close(fd);
  Child child =
      Spawn({"valgrind", "-q", "--tool=callgrind", std::string("--callgrind-out-file=") + file,
             options.self, "--serve", which, "--threads", "2"});
  std::string port_text = ReadLine(child, "PORT=", 300000);
  double total = 0;
  if (!port_text.empty()) {
    int port = std::stoi(port_text);
    int sock = Connect(port);
    std::string buf;
    Response response;
    size_t done = 0;
    auto deadline = Clock::now() + std::chrono::minutes(5);
    for (; sock >= 0 && done < gets && Clock::now() < deadline; ++done) {
      if (!SendAll(sock,
                   RequestBytes(Kind::kGet, (done % kCallgrindJobs) * 7919 % kSeededJobs, true)) ||
          !ReadResponse(sock, buf, response) || response.status != 200) {
        break;
      }
    }
    if (sock >= 0) ::close(sock);
    ::close(child.in);
    child.in = -1;
    Wait(child, 300000);
    if (done == gets) {
      std::ifstream in(file);
      std::string line;
      while (std::getline(in, line)) {
        if (line.rfind("totals:", 0) == 0 || line.rfind("summary:", 0) == 0) {
          total = std::stod(line.substr(line.find(':') + 1));
        }
      }
    }
  } else {
    ::kill(child.pid, SIGKILL);
    Wait(child, 10000);
  }
  ::unlink(file);
  return total;
}

void CallgrindSection(const Options& options) {
  std::cout << "\n## Instructions per GET (callgrind)\n\n";
  if (FindInPath("valgrind").empty()) {
    std::cout << "valgrind is not installed: skipped.\n";
    return;
  }
  const size_t n1 = options.quick ? 100 : 300, n2 = options.quick ? 400 : 1300;
  double per[2] = {0, 0};
  const char* names[2] = {"fake", "minimal"};
  for (int s = 0; s < 2; ++s) {
    double a = CallgrindInstructions(options, names[s], n1);
    double b = CallgrindInstructions(options, names[s], n2);
    if (a <= 0 || b <= 0) {
      std::cout << "callgrind run of the " << names[s] << " server failed.\n";
      return;
    }
    per[s] = (b - a) / static_cast<double>(n2 - n1);
  }
  std::cout << "Each server runs under `valgrind --tool=callgrind` (all threads) and answers " << n1
            << ", then (in a second process) " << n2 << " GETs of " << kCallgrindJobs
            << " jobs on one keep-alive connection; instructions per GET = (I(" << n2 << ") − I("
            << n1 << ")) / " << (n2 - n1) << ", so start-up and seeding cancel out.\n\n"
            << "| server | instructions per GET |\n|---|---:|\n"
            << "| full fake | " << Fixed(per[0], 0) << " |\n"
            << "| minimal | " << Fixed(per[1], 0) << " |\n"
            << "| ratio | " << Fixed(per[0] / per[1], 2) << " |\n";
  Target("instructions per GET ≤ 1.5× minimal", Fixed(per[0], 0), Fixed(per[1], 0),
         per[0] <= 1.5 * per[1]);
}

// --- 4. `nasfake serve` start → first answer ---------------------------------

double SpawnToFirstAnswer(const std::vector<std::string>& argv, const std::string& prefix) {
  auto t0 = Clock::now();
  Child child = Spawn(argv);
  std::string line = ReadLine(child, prefix, 10000);
  double us = -1;
  if (!line.empty()) {
    int port = std::stoi(line.substr(line.rfind(':') + 1));
    if (OneShot(port, "GET", kListTarget).status == 200) us = Micros(Clock::now() - t0);
  }
  ::kill(child.pid, SIGTERM);
  Wait(child, 10000);
  return us;
}

void ServeStartSection(const Options& options) {
  std::cout << "\n## `nasfake serve` start → first answer\n\n";
  if (options.nasfake.empty()) {
    std::cout << "No --nasfake PATH given: skipped.\n";
    return;
  }
  const int runs = options.quick ? 5 : 20;
  std::vector<double> fake, minimal;
  for (int i = 0; i < runs; ++i) {
    fake.push_back(
        SpawnToFirstAnswer({options.nasfake, "serve", "--port", "0"}, "NASFAKE_ENDPOINT="));
    minimal.push_back(
        SpawnToFirstAnswer({options.self, "--serve", "minimal", "--threads", "1"}, "PORT="));
  }
  if (std::count(fake.begin(), fake.end(), -1.0) > 0) Die("nasfake serve: no answer");
  double f = Median(fake), m = Median(minimal);
  std::cout << "From spawning the process to the first answer (a list GET), median of " << runs
            << ": `nasfake serve --port 0` " << Fixed(f / 1000, 2)
            << " ms; a minimal cpp-httplib server process " << Fixed(m / 1000, 2) << " ms.\n";
  Target("`nasfake serve` start → first answer < 20 ms", Fixed(f / 1000, 2) + " ms",
         Fixed(m / 1000, 2) + " ms", f < 20000, f <= 1.2 * m);
}

// --- 5. Memory --------------------------------------------------------------

size_t HeapInUse() {
  struct mallinfo2 info = ::mallinfo2();
  return info.uordblks + info.hblkhd;
}

size_t RssBytes() {
  std::ifstream statm("/proc/self/statm");
  size_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<size_t>(::sysconf(_SC_PAGESIZE));
}

void MemorySection(const Options& options) {
  std::cout << "\n## Memory\n\n";
  const size_t n = options.quick ? 10000 : 100000;
  for (bool with_output : {true, false}) {
    ::malloc_trim(0);
    size_t before = HeapInUse();
    {
      store::VirtualClock clock;
      store::JobStore jobs(clock, 1);
      SeedJobs(jobs, n, with_output);
      double per_job = static_cast<double>(HeapInUse() - before) / static_cast<double>(n);
      std::cout << "- Per stored job (" << n << " copies of the reference's full job"
                << (with_output ? ", with nasJobOutput" : ", without nasJobOutput") << ", JSON "
                << model::ToJson(jobs.Peek(*model::ParseNasJobName(JobName(0))).value()).size()
                << " bytes): **" << Fixed(per_job, 0) << " bytes** of heap.\n";
      if (with_output) {
        Target("memory per stored job: measured", Fixed(per_job / 1024, 1) + " KiB", "", true);
      }
    }
  }

  // A journal fed 1 000 000 requests through the fake's whole request path
  // (in-process, no socket): its cap must hold and memory must stay flat.
  auto fake = StartLoadedFake();
  std::vector<api::Request> requests;
  for (size_t k = 0; k < 64; ++k) requests.push_back(GetRequest((k * 7919) % kSeededJobs));
  const size_t total = options.quick ? 200000 : 1000000;
  const size_t capacity = journal::Journal::kDefaultCapacity;
  ::malloc_trim(0);
  const size_t heap0 = HeapInUse();
  struct Mark {
    size_t requests;
    size_t heap;    // bytes held since the start
    double cpu_us;  // process CPU time since the start
  };
  std::vector<Mark> marks;
  const auto t0 = Clock::now();
  const double cpu0 = CpuMicros(CLOCK_PROCESS_CPUTIME_ID);
  size_t done = 0;
  for (; done < total; ++done) {
    if (done % 100000 == 0 && done > 0) {
      marks.push_back({done, HeapInUse() - heap0, CpuMicros(CLOCK_PROCESS_CPUTIME_ID) - cpu0});
      if (Seconds(Clock::now() - t0) > 120) break;
    }
    (void)fake->Handle(requests[done % requests.size()]);
  }
  marks.push_back({done, HeapInUse() - heap0, CpuMicros(CLOCK_PROCESS_CPUTIME_ID) - cpu0});
  const double secs = Seconds(Clock::now() - t0);
  const size_t kept = fake->journal().size();
  const uint64_t dropped = fake->journal().dropped();
  const double filling_us = marks[0].cpu_us / static_cast<double>(marks[0].requests);
  const double capped_us = marks.size() > 1 ? (marks.back().cpu_us - marks[0].cpu_us) /
                                                  static_cast<double>(done - marks[0].requests)
                                            : 0;
  std::cout << "- Journal: " << done << " GETs through FakeServer::Handle (in-process) in "
            << Fixed(secs, 1) << " s; capacity " << capacity << "; kept " << kept << ", dropped "
            << dropped << ". CPU per request: " << Fixed(filling_us, 1)
            << " µs while the journal fills, " << Fixed(capped_us, 1)
            << " µs once it is at its cap. Heap held (MiB) after N requests:";
  for (const Mark& m : marks) {
    std::cout << " " << m.requests / 1000 << "k: " << Fixed(m.heap / 1048576.0, 0) << ";";
  }
  std::cout << " RSS " << Fixed(RssBytes() / 1048576.0, 0) << " MiB ("
            << Fixed(static_cast<double>(marks[0].heap) / static_cast<double>(marks[0].requests), 0)
            << " bytes per journalled GET).\n";
  size_t at_cap = 0;
  for (const Mark& m : marks) {
    if (m.requests == std::min(capacity, done)) at_cap = m.heap;
  }
  const size_t last = marks.back().heap;
  bool bounded = done == total && kept == std::min(capacity, total) && dropped == total - kept &&
                 last <= at_cap * 11 / 10 + (1 << 20);
  Target(
      "journal of " + std::to_string(total) + " requests bounded",
      std::to_string(kept) + " kept, " + Fixed(last / 1048576.0, 0) + " MiB",
      "cap " + std::to_string(capacity) + ", " + Fixed(at_cap / 1048576.0, 0) + " MiB at the cap",
      bounded);
}

int Main(int argc, char** argv) {
  Options options;
  options.self = argv[0];
  std::string serve;
  size_t threads = 8;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Die(flag + " needs a value");
      return argv[++i];
    };
    if (flag == "--requests") {
      options.requests = std::stoul(value());
    } else if (flag == "--seconds") {
      options.seconds = std::stod(value());
    } else if (flag == "--rounds") {
      options.rounds = std::max(1, std::stoi(value()));
    } else if (flag == "--callgrind") {
      options.callgrind = true;
    } else if (flag == "--quick") {
      options.quick = true;
      options.requests = 2000;
      options.rounds = 1;
    } else if (flag == "--nasfake") {
      options.nasfake = value();
    } else if (flag == "--serve") {
      serve = value();
    } else if (flag == "--threads") {
      threads = std::stoul(value());
    } else if (flag == "--only") {
      options.only = value();
    } else {
      Die("unknown flag " + flag +
          " (flags: --requests N --seconds S --rounds R --callgrind --nasfake PATH --quick"
          " --only load,startstop,callgrind,serve,memory)");
    }
  }
  ::signal(SIGPIPE, SIG_IGN);
  if (!serve.empty()) return Serve(serve, threads);

  if (options.Runs("load")) LoadSection(options);
  if (options.Runs("startstop")) StartStopSection(options);
  if (options.callgrind && options.Runs("callgrind")) CallgrindSection(options);
  if (options.Runs("serve")) ServeStartSection(options);
  if (options.Runs("memory")) MemorySection(options);
  PrintTargetTable("## Performance targets", "baseline / reference", g_targets);
  return 0;
}

}  // namespace
}  // namespace nasfake::bench

int main(int argc, char** argv) { return nasfake::bench::Main(argc, argv); }
