// The gRPC load benchmark: unary GetNasJob from grpc++'s generated stub
// against the full fake's gRPC endpoint (journal on and at its cap, a 20-rule
// scenario, 1 000 jobs seeded) and against a minimal grpc++ synchronous server
// answering the same NasJob (bench/minimal_grpc_server.h), with the same
// client in the same run; plus instructions per call (callgrind). Prints
// Markdown.
//
//   nasfake_grpc_bench [--calls N] [--seconds S] [--rounds R] [--callgrind] [--quick]
//                      [--callgrind-keep DIR] [--only SECTION,…]
//   (sections: load, callgrind; --callgrind-keep keeps the callgrind files,
//   named callgrind.<server>.<calls>, in DIR for callgrind_annotate)
//   nasfake_grpc_bench --serve fake|minimal [--warm N]   (a server process:
//       prints PORT=<gRPC port>, serves until its stdin closes)
//
// Each server runs in a process of its own: in the client's process, grpc++'s
// server would share grpc core's threads and state with the client. So a
// server's CPU per call is its process's CPU time over the run (all threads,
// ended ones included), untouched by the client's work.
//
// Load: one thread per channel, each making blocking unary calls one after
// another, as the REST load benchmark's keep-alive connections do. Every
// channel has distinct channel args, so grpc++ gives each its own subchannel
// and TCP connection (counted at the server's port). Every call carries what a
// GAPIC client sends: a deadline (10 s), x-goog-request-params with the job's
// name, x-goog-api-client. Latency is the stub call's duration.
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_common.h"
#include "bench/bench_util.h"
#include "bench/minimal_grpc_server.h"
#include "google/cloud/aiplatform/v1/job_service.grpc.pb.h"

namespace nasfake::bench {
namespace {

namespace v1 = google::cloud::aiplatform::v1;
using Clock = std::chrono::steady_clock;

double Micros(Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

struct Options {
  size_t calls = 10000;  // per load run
  double seconds = 10;   // time bound per load run
  int rounds = 5;        // rounds per row (a run against each server); medians shown
  bool callgrind = false;
  bool quick = false;
  std::string callgrind_keep;  // a directory: keep the callgrind files there
  std::string self;
  std::string only;  // comma-separated sections to run; empty: all
  bool Runs(const std::string& section) const {
    return only.empty() || ("," + only + ",").find("," + section + ",") != std::string::npos;
  }
};

// --- Servers ----------------------------------------------------------------

// The NasJob the fake answers for JobName(0), as the gRPC front end makes it
// (libprotobuf's JSON mapping of the REST answer).
v1::NasJob SeededJobMessage() {
  v1::NasJob job;
  if (!google::protobuf::util::JsonStringToMessage(GetBody(), &job).ok()) Die("NasJob from JSON");
  return job;
}

// Child mode: a server until stdin closes. `warm` requests go through the
// fake in-process first (GETs of every seeded job in turn), so that its
// journal is at its cap and every job's answer is cached: the steady state.
int Serve(const std::string& which, size_t warm) {
  std::unique_ptr<FakeServer> fake;
  std::unique_ptr<MinimalGrpcServer> minimal;
  std::string port;
  if (which == "fake") {
    fake = StartLoadedFake();
    std::vector<api::Request> gets;
    for (size_t i = 0; i < kSeededJobs; ++i) gets.push_back(GetRequest(i));
    for (size_t i = 0; i < warm; ++i) (void)fake->Handle(gets[i % gets.size()]);
    port = fake->grpc_endpoint().substr(fake->grpc_endpoint().rfind(':') + 1);
  } else if (which == "minimal") {
    minimal = std::make_unique<MinimalGrpcServer>(SeededJobMessage());
    if (!minimal->Start()) Die("minimal grpc++ server: cannot start");
    port = std::to_string(minimal->port());
  } else {
    Die("--serve fake|minimal");
  }
  std::cout << "PORT=" << port << std::endl;
  char c;
  while (::read(0, &c, 1) > 0) {
  }
  if (fake) fake->Stop();
  if (minimal) minimal->Stop();
  return 0;
}

// A server process (see Serve), optionally under a wrapper (valgrind).
struct ServerProcess {
  Child child;
  int port = 0;

  ServerProcess(const Options& options, const std::string& which, size_t warm,
                std::vector<std::string> wrapper = {}, int timeout_ms = 60000) {
    wrapper.insert(wrapper.end(), {options.self, "--serve", which, "--warm", std::to_string(warm)});
    child = Spawn(wrapper);
    std::string line = ReadLine(child, "PORT=", timeout_ms);
    if (line.empty()) Die(which + " server: no PORT line");
    port = std::stoi(line);
  }
  // Closes its stdin and waits for it to exit.
  void Stop(int timeout_ms) {
    if (child.pid < 0) return;
    ::close(child.in);
    child.in = -1;
    Wait(child, timeout_ms);
  }
  ~ServerProcess() { Stop(10000); }

  // CPU time (user + system) the process has used, in µs (all its threads,
  // ended ones included).
  double CpuMicros() const {
    clockid_t clock;
    timespec ts{};
    if (::clock_getcpuclockid(child.pid, &clock) != 0 || ::clock_gettime(clock, &ts) != 0) {
      Die("cannot read the CPU time of process " + std::to_string(child.pid));
    }
    return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
  }
};

// --- Client -----------------------------------------------------------------

// grpc++ channels to 127.0.0.1:port, each with its own connection, connected.
std::vector<std::shared_ptr<::grpc::Channel>> Connect(int port, int channels,
                                                      std::chrono::seconds timeout) {
  std::vector<std::shared_ptr<::grpc::Channel>> out;
  for (int c = 0; c < channels; ++c) {
    ::grpc::ChannelArguments args;
    args.SetInt("nasfake.bench.channel", c);  // distinct args: no shared subchannel
    auto channel = ::grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(port),
                                               ::grpc::InsecureChannelCredentials(), args);
    if (!channel->WaitForConnected(std::chrono::system_clock::now() + timeout)) {
      Die("cannot connect to 127.0.0.1:" + std::to_string(port));
    }
    out.push_back(std::move(channel));
  }
  return out;
}

// Established TCP connections accepted at the loopback port `port`
// (/proc/net/tcp and tcp6: grpc++ listens on a dual-stack socket).
int ConnectionsAt(int port) {
  int count = 0;
  for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    std::ifstream in(table);
    std::string line;
    std::getline(in, line);  // the column names
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string slot, local, remote, state;
      fields >> slot >> local >> remote >> state;
      size_t colon = local.find(':');
      if (colon != std::string::npos && std::stoi(local.substr(colon + 1), nullptr, 16) == port &&
          state == "01") {
        ++count;
      }
    }
  }
  return count;
}

// x-goog-request-params as GAPIC clients write it: field=value, the value
// percent-encoded ('/' too).
std::string RoutingHeader(const std::string& name) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "name=";
  for (char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
        c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[static_cast<unsigned char>(c) >> 4];
      out += kHex[static_cast<unsigned char>(c) & 0xF];
    }
  }
  return out;
}

struct Call {
  v1::GetNasJobRequest request;
  std::string routing;
};

// One GetNasJob as a GAPIC client makes it; `response` receives the job.
::grpc::Status GetNasJob(v1::JobService::Stub& stub, const Call& call, v1::NasJob& response,
                         std::chrono::seconds deadline) {
  ::grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + deadline);
  context.AddMetadata("x-goog-request-params", call.routing);
  context.AddMetadata("x-goog-api-client", "gl-cpp/20 gccl/2.0 grpc/1.51");
  return stub.GetNasJob(&context, call.request, &response);
}

Call CallFor(size_t job) {
  Call call;
  call.request.set_name(JobName(job));
  call.routing = RoutingHeader(call.request.name());
  return call;
}

struct LoadResult {
  size_t ok = 0;
  size_t errors = 0;
  int connections = 0;
  double seconds = 0;
  double cps = 0;
  double p50_us = 0;
  double p99_us = 0;
  double server_cpu_us = 0;  // per answered call
};

// `calls` GetNasJob calls (or `max_seconds`, whichever ends first) over
// `channels` channels to `server`.
LoadResult Drive(const ServerProcess& server, int channels, size_t calls, double max_seconds) {
  auto connected = Connect(server.port, channels, std::chrono::seconds(10));
  LoadResult result;
  result.connections = ConnectionsAt(server.port);
  std::atomic<int64_t> remaining{static_cast<int64_t>(calls)};
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::atomic<size_t> errors{0};
  std::vector<std::vector<float>> latencies(channels);
  const auto budget =
      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(max_seconds));
  Clock::time_point start;
  std::vector<std::thread> threads;
  for (int t = 0; t < channels; ++t) {
    threads.emplace_back([&, t] {
      auto stub = v1::JobService::NewStub(connected[t]);
      std::vector<Call> cycle;
      for (size_t k = 0; k < 32; ++k) cycle.push_back(CallFor((t * 131 + k * 7919) % kSeededJobs));
      auto& lat = latencies[t];
      lat.reserve(calls / channels + 16);
      v1::NasJob response;
      ++ready;
      while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
      const auto deadline = start + budget;
      for (size_t k = 0; remaining.fetch_sub(1, std::memory_order_relaxed) > 0; ++k) {
        auto t0 = Clock::now();
        if (t0 > deadline) break;
        ::grpc::Status status =
            GetNasJob(*stub, cycle[k % cycle.size()], response, std::chrono::seconds(10));
        auto t1 = Clock::now();
        if (!status.ok()) {
          ++errors;
          continue;
        }
        lat.push_back(static_cast<float>(Micros(t1 - t0)));
      }
    });
  }
  while (ready.load() < channels) std::this_thread::yield();
  const double cpu0 = server.CpuMicros();
  start = Clock::now();
  go.store(true, std::memory_order_release);
  for (auto& th : threads) th.join();
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  const double cpu = server.CpuMicros() - cpu0;
  std::vector<float> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  result.ok = all.size();
  result.errors = errors;
  result.cps = static_cast<double>(result.ok) / result.seconds;
  if (!all.empty()) {
    result.p50_us = all[all.size() / 2];
    result.p99_us = all[std::min(all.size() - 1, all.size() * 99 / 100)];
    result.server_cpu_us = cpu / static_cast<double>(all.size());
  }
  return result;
}

// Both servers answer JobName(0) with the same NasJob (but for its name: the
// minimal server's is JobName(0) whatever is asked).
void CheckSameAnswer(const ServerProcess& fake, const ServerProcess& minimal) {
  v1::NasJob answers[2];
  const ServerProcess* servers[2] = {&fake, &minimal};
  for (int s = 0; s < 2; ++s) {
    auto channel = Connect(servers[s]->port, 1, std::chrono::seconds(10));
    auto stub = v1::JobService::NewStub(channel[0]);
    ::grpc::Status status = GetNasJob(*stub, CallFor(0), answers[s], std::chrono::seconds(10));
    if (!status.ok()) Die("GetNasJob: " + status.error_message());
  }
  if (!google::protobuf::util::MessageDifferencer::Equals(answers[0], answers[1])) {
    Die("the fake and the minimal server answer different NasJobs");
  }
}

// --- Target summary ---------------------------------------------------------

std::vector<TargetRow> g_targets;

// --- 1. Load ----------------------------------------------------------------

void LoadSection(const Options& options) {
  const size_t warm = options.quick ? 5000 : 2 * journal::Journal::kDefaultCapacity;
  ServerProcess fake(options, "fake", warm);
  ServerProcess minimal(options, "minimal", 0);
  CheckSameAnswer(fake, minimal);
  // Both servers' first calls (allocations, lazily built state) are not measured.
  Drive(fake, 4, options.calls / 5, 60);
  Drive(minimal, 4, options.calls / 5, 60);

  std::cout << "\n## gRPC: unary GetNasJob, full fake vs minimal grpc++ server\n\n"
            << "Full fake: journal on (" << warm
            << " GETs through FakeServer::Handle first: the journal is at its cap of "
            << journal::Journal::kDefaultCapacity << " entries), " << kScenarioRules
            << "-rule scenario (no rule matches), " << kSeededJobs
            << " jobs seeded; its gRPC endpoint. Minimal: a grpc++ 1.51 synchronous server "
               "(bench/minimal_grpc_server.h, default settings) answering every GetNasJob with "
               "the NasJob the fake answers for a seeded job (checked equal). Each server runs in "
               "a process of its own. Client: grpc++'s generated JobService stub, one thread per "
               "channel making blocking unary calls, each with a 10 s deadline, "
               "`x-goog-request-params` and `x-goog-api-client` (what a GAPIC client sends); "
               "distinct channel args give every channel its own TCP connection (counted at the "
               "server's port). Per row, "
            << options.rounds
            << " rounds, each a run against the fake and one against the minimal server (order "
               "alternating), each run "
            << options.calls << " calls or " << options.seconds
            << " s. Shown: median calls/s; **ratio** = median of the rounds' fake/minimal "
               "calls/s; median p50 / p99; server CPU per call (the server process's CPU time) "
               "and its ratio.\n\n"
            << "| load | fake calls/s | minimal calls/s | ratio | fake p50 / p99 µs | "
               "minimal p50 / p99 µs | server CPU µs/call fake / minimal (ratio) | connections "
               "| errors |\n"
            << "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  for (int channels : {1, 4}) {
    std::vector<double> ratios, f_cps, m_cps, f_p50, m_p50, f_p99, m_p99, f_cpu, m_cpu;
    size_t f_err = 0, m_err = 0;
    int f_conn = 0, m_conn = 0;
    for (int r = 0; r < options.rounds; ++r) {
      LoadResult f, m;
      if (r % 2 == 0) {
        f = Drive(fake, channels, options.calls, options.seconds);
        m = Drive(minimal, channels, options.calls, options.seconds);
      } else {
        m = Drive(minimal, channels, options.calls, options.seconds);
        f = Drive(fake, channels, options.calls, options.seconds);
      }
      ratios.push_back(f.cps / m.cps);
      f_cps.push_back(f.cps);
      m_cps.push_back(m.cps);
      f_p50.push_back(f.p50_us);
      m_p50.push_back(m.p50_us);
      f_p99.push_back(f.p99_us);
      m_p99.push_back(m.p99_us);
      f_cpu.push_back(f.server_cpu_us);
      m_cpu.push_back(m.server_cpu_us);
      f_err += f.errors;
      m_err += m.errors;
      f_conn = std::max(f_conn, f.connections);
      m_conn = std::max(m_conn, m.connections);
    }
    const std::string load =
        "GetNasJob, " + std::to_string(channels) + (channels == 1 ? " channel" : " channels");
    const double ratio = Median(ratios), fcpu = Median(f_cpu), mcpu = Median(m_cpu);
    std::cout << "| " << load << " | " << Fixed(Median(f_cps), 0) << " | "
              << Fixed(Median(m_cps), 0) << " | " << Fixed(ratio, 2) << " | "
              << Fixed(Median(f_p50), 0) << " / " << Fixed(Median(f_p99), 0) << " | "
              << Fixed(Median(m_p50), 0) << " / " << Fixed(Median(m_p99), 0) << " | "
              << Fixed(fcpu, 1) << " / " << Fixed(mcpu, 1) << " (" << Fixed(fcpu / mcpu, 2)
              << ") | " << f_conn << " / " << m_conn << " | " << f_err << " / " << m_err << " |\n"
              << std::flush;
    g_targets.push_back({load + ": calls/s ≥ 1.0× minimal grpc++",
                         Fixed(ratio, 2) + "× (server CPU ratio " + Fixed(fcpu / mcpu, 2) + ")",
                         Fixed(Median(m_cps), 0) + " calls/s",
                         ratio >= 1.0 && f_err == 0 ? "met" : "**missed**"});
    if (f_conn != channels || m_conn != channels) {
      g_targets.push_back({load + ": one connection per channel",
                           std::to_string(f_conn) + " / " + std::to_string(m_conn), "",
                           "**missed**"});
    }
  }
  std::cout
      << "\nHow the fake serves a call: on its connection's thread, between reads, with the "
         "answer leaving in the connection's next write, so a call costs one thread wake-up, as "
         "in grpc++'s synchronous server (whose polling threads also run the handler). A handler "
         "about to wait (a scenario's hold or delay) first moves the connection's loop to another "
         "thread (fake/about_to_wait.h), so only calls that wait pay for a second thread.\n";
}

// --- 2. Instructions per call (callgrind) -------------------------------------

// Total instructions of one server process that answered `calls` GetNasJob
// calls on one channel; 0 on failure.
double CallgrindInstructions(const Options& options, const std::string& which, size_t calls) {
  std::string file = "/tmp/nasfake-grpc-callgrind-XXXXXX";
  int fd = ::mkstemp(file.data());
  if (fd < 0) return 0;
  ::close(fd);
  size_t done = 0;
  {
    ServerProcess server(
        options, which, 0,
        {"valgrind", "-q", "--tool=callgrind", std::string("--callgrind-out-file=") + file},
        300000);
    {
      auto channel = Connect(server.port, 1, std::chrono::seconds(120));
      auto stub = v1::JobService::NewStub(channel[0]);
      v1::NasJob response;
      for (; done < calls; ++done) {
        Call call = CallFor(done % 64 * 7919 % kSeededJobs);
        if (!GetNasJob(*stub, call, response, std::chrono::seconds(60)).ok()) break;
      }
    }
    server.Stop(300000);
  }
  double total = 0;
  if (done == calls) {
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("totals:", 0) == 0 || line.rfind("summary:", 0) == 0) {
        total = std::stod(line.substr(line.find(':') + 1));
      }
    }
  }
  if (options.callgrind_keep.empty()) {
    ::unlink(file.c_str());
  } else {
    std::string kept = options.callgrind_keep + "/callgrind." + which + "." + std::to_string(calls);
    if (std::rename(file.c_str(), kept.c_str()) != 0) ::unlink(file.c_str());
  }
  return total;
}

void CallgrindSection(const Options& options) {
  std::cout << "\n### Instructions per GetNasJob (callgrind)\n\n";
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
  std::cout << "Each server process runs under `valgrind --tool=callgrind` (all threads) and "
               "answers "
            << n1 << ", then (in a second process) " << n2
            << " GetNasJob calls of 64 jobs on one channel; instructions per call = (I(" << n2
            << ") − I(" << n1 << ")) / " << (n2 - n1) << ", so start-up and seeding cancel out.\n\n"
            << "| server | instructions per call |\n|---|---:|\n"
            << "| full fake | " << Fixed(per[0], 0) << " |\n"
            << "| minimal grpc++ | " << Fixed(per[1], 0) << " |\n"
            << "| ratio | " << Fixed(per[0] / per[1], 2) << " |\n";
  g_targets.push_back({"instructions per GetNasJob: measured", Fixed(per[0], 0),
                       Fixed(per[1], 0) + " (ratio " + Fixed(per[0] / per[1], 2) + ")",
                       "measured"});
}

int Main(int argc, char** argv) {
  Options options;
  options.self = argv[0];
  std::string serve;
  size_t warm = 0;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Die(flag + " needs a value");
      return argv[++i];
    };
    if (flag == "--calls") {
      options.calls = std::stoul(value());
    } else if (flag == "--seconds") {
      options.seconds = std::stod(value());
    } else if (flag == "--rounds") {
      options.rounds = std::max(1, std::stoi(value()));
    } else if (flag == "--callgrind") {
      options.callgrind = true;
    } else if (flag == "--callgrind-keep") {
      options.callgrind = true;
      options.callgrind_keep = value();
    } else if (flag == "--quick") {
      options.quick = true;
      options.calls = 2000;
      options.rounds = 1;
    } else if (flag == "--serve") {
      serve = value();
    } else if (flag == "--only") {
      options.only = value();
    } else if (flag == "--warm") {
      warm = std::stoul(value());
    } else {
      Die("unknown flag " + flag +
          " (flags: --calls N --seconds S --rounds R --callgrind --callgrind-keep DIR --quick"
          " --only load,callgrind; --serve fake|minimal"
          " --warm N)");
    }
  }
  ::signal(SIGPIPE, SIG_IGN);
  if (!serve.empty()) return Serve(serve, warm);
  if (options.Runs("load")) LoadSection(options);
  if (options.callgrind && options.Runs("callgrind")) CallgrindSection(options);
  PrintTargetTable("### gRPC targets", "minimal grpc++", g_targets);
  return 0;
}

}  // namespace
}  // namespace nasfake::bench

int main(int argc, char** argv) { return nasfake::bench::Main(argc, argv); }
