// The baseline: a minimal fixed-answer cpp-httplib server, built with the
// same toolchain and library as the fake, given its best settings: a thread
// per connection (pool sized to the load), TCP_NODELAY, no keep-alive request
// limit, listen backlog 1024, and a Content-Type httplib does not compress
// ("application/json; charset=UTF-8", as the fake answers), so
// `Accept-Encoding: gzip, deflate, br` costs it nothing either.
#pragma once

#include <httplib.h>
#include <sys/socket.h>

#include <cstddef>
#include <limits>
#include <string>
#include <thread>

namespace nasfake::bench {

class MinimalServer : public httplib::Server {
 public:
  // GET answers `get_body`, POST answers "{}"; `threads` serve connections.
  // keep_alive_seconds: how long an idle keep-alive connection is kept.
  MinimalServer(std::string get_body, size_t threads, time_t keep_alive_seconds = 120)
      : get_body_(std::move(get_body)) {
    set_tcp_nodelay(true);
    set_keep_alive_max_count(std::numeric_limits<int>::max());
    set_keep_alive_timeout(keep_alive_seconds);
    new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    Get(".*", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(get_body_, "application/json; charset=UTF-8");
    });
    Post(".*", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("{}", "application/json; charset=UTF-8");
    });
  }
  ~MinimalServer() override { Stop(); }

  // Binds 127.0.0.1:<free port> and serves on a thread; false when it cannot.
  bool Start() {
    port_ = bind_to_any_port("127.0.0.1");
    if (port_ <= 0) return false;
    ::listen(svr_sock_, 1024);  // 0.11.4 listens with a backlog of 5
    thread_ = std::thread([this] { listen_after_bind(); });
    return true;
  }
  void Stop() {
    if (thread_.joinable()) {
      // stop() is a no-op until the accept loop runs: wait for it (bounded).
      for (int i = 0; i < 100000 && !is_running(); ++i) std::this_thread::yield();
      stop();
      thread_.join();
    }
  }
  int port() const { return port_; }

 private:
  std::string get_body_;
  int port_ = -1;
  std::thread thread_;
};

}  // namespace nasfake::bench
