#include "conformance/runner/runner.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "fake/glob.h"
#include "fake/server/fake_server.h"
#include "scenarios/engine.h"

namespace nasfake::conformance {
namespace {

using nlohmann::json;

std::string Ms(std::chrono::milliseconds d) { return std::to_string(d.count()) + " ms"; }

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

std::vector<const journal::Entry*> Select(const std::vector<journal::Entry>& journal,
                                          const Selector& selector) {
  std::vector<const journal::Entry*> out;
  for (const auto& e : journal) {
    if (selector.Matches(e)) out.push_back(&e);
  }
  return out;
}

double Seconds(std::chrono::system_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

std::optional<std::string> CheckWire(const WireCheck& check,
                                     const std::vector<journal::Entry>& journal,
                                     const std::string& token) {
  auto selected = Select(journal, check.select);
  switch (check.kind) {
    case WireCheck::Kind::kCount: {
      int n = static_cast<int>(selected.size());
      if ((check.min && n < *check.min) || (check.max && n > *check.max)) {
        std::string range = check.min && check.max && *check.min == *check.max
                                ? std::to_string(*check.min)
                                : (check.min ? "at least " + std::to_string(*check.min) : "") +
                                      (check.min && check.max ? " and " : "") +
                                      (check.max ? "at most " + std::to_string(*check.max) : "");
        return "expected " + range + " " + check.select.Describe() + ", saw " + std::to_string(n);
      }
      return std::nullopt;
    }
    case WireCheck::Kind::kEvery:
      for (const journal::Entry* e : selected) {
        if (check.body_in) {
          // The transport does not read the body of a GET (it closes the
          // connection instead): its framing headers tell that one was sent.
          std::string declared;
          for (const auto& [name, value] : e->headers) {
            if ((name == "content-length" && value != "0") || name == "transfer-encoding") {
              declared = name + ": " + value;
            }
          }
          bool allowed = std::find(check.body_in->begin(), check.body_in->end(), e->body) !=
                         check.body_in->end();
          if (!allowed || (e->body.empty() && !declared.empty())) {
            return "request " + journal::DebugString(*e) + " has a body that is not allowed" +
                   (e->body.empty() && !declared.empty() ? " (" + declared + ")" : "");
          }
        }
        for (const auto& [name, glob] : check.headers) {
          std::string want = Replace(glob, "{token}", token);
          std::string have;
          bool present = false;
          for (const auto& [n, v] : e->headers) {
            if (n == name) {
              have = v;
              present = true;
            }
          }
          if (!present || !GlobMatch(want, have)) {
            return "request " + journal::DebugString(*e) + ": header " + name + " is " +
                   (present ? "\"" + have + "\"" : "missing") + ", expected \"" + want + "\"";
          }
        }
        for (const auto& excluded : check.target_excludes) {
          if (e->target.find(excluded) != std::string::npos) {
            return "request " + journal::DebugString(*e) + ": the target contains \"" + excluded +
                   "\"";
          }
        }
      }
      return std::nullopt;
    case WireCheck::Kind::kNoneAfter: {
      auto first = std::find_if(journal.begin(), journal.end(),
                                [&](const journal::Entry& e) { return check.after.Matches(e); });
      if (first == journal.end()) return std::nullopt;
      for (auto it = std::next(first); it != journal.end(); ++it) {
        if (check.select.Matches(*it)) {
          return "request " + journal::DebugString(*it) + " came after " +
                 journal::DebugString(*first);
        }
      }
      return std::nullopt;
    }
    case WireCheck::Kind::kRate: {
      if (selected.size() < 3) return std::nullopt;
      double span = Seconds(selected.back()->real_time - selected.front()->real_time);
      double allowed = check.max_per_second * span + 2;  // the first two are free
      if (static_cast<double>(selected.size()) > allowed) {
        return std::to_string(selected.size()) + " " + check.select.Describe() + " in " +
               std::to_string(static_cast<int>(span * 1000)) + " ms; at most " +
               std::to_string(check.max_per_second) + " per second allowed";
      }
      return std::nullopt;
    }
    case WireCheck::Kind::kGap: {
      auto first = std::find_if(journal.begin(), journal.end(),
                                [&](const journal::Entry& e) { return check.after.Matches(e); });
      if (first == journal.end()) return "no " + check.after.Describe() + " was seen";
      for (auto it = std::next(first); it != journal.end(); ++it) {
        if (!check.select.Matches(*it)) continue;
        auto gap =
            std::chrono::duration_cast<std::chrono::milliseconds>(it->real_time - first->real_time);
        if (gap < check.min_gap) {
          return "request " + journal::DebugString(*it) + " came " + Ms(gap) + " after " +
                 journal::DebugString(*first) + "; expected at least " + Ms(check.min_gap);
        }
        return std::nullopt;
      }
      return "no " + check.select.Describe() + " followed " + journal::DebugString(*first);
    }
    case WireCheck::Kind::kBackoff: {
      std::vector<double> gaps;  // in ms
      for (size_t i = 1; i < selected.size(); ++i) {
        gaps.push_back(Seconds(selected[i]->real_time - selected[i - 1]->real_time) * 1000);
      }
      if (gaps.size() < 2) return std::nullopt;
      if (*std::min_element(gaps.begin(), gaps.end()) >= static_cast<double>(check.floor.count())) {
        return std::nullopt;
      }
      // The halves' means; an odd count leaves the middle gap out.
      const size_t half = gaps.size() / 2;
      double earlier = 0, later = 0;
      for (size_t i = 0; i < half; ++i) {
        earlier += gaps[i] / static_cast<double>(half);
        later += gaps[gaps.size() - half + i] / static_cast<double>(half);
      }
      if (later >= check.growth * earlier && later > earlier) return std::nullopt;
      std::string listed;
      for (double gap : gaps) {
        listed += (listed.empty() ? "" : ", ") + std::to_string(std::lround(gap));
      }
      char numbers[96];
      std::snprintf(numbers, sizeof numbers, "%.2fx the earlier half's; expected at least %.2fx",
                    earlier > 0 ? later / earlier : 0.0, check.growth);
      return "the gaps between " + check.select.Describe() + " do not grow: " + listed +
             " ms (the later half's mean is " + numbers + ", or no gap under " + Ms(check.floor) +
             ")";
    }
  }
  return std::nullopt;
}

std::optional<std::string> CheckOutcome(const OutcomeCheck& check, const json& output) {
  std::string where = check.pointer.to_string();
  bool present = output.is_object() && output.contains(check.pointer);
  if (check.absent) {
    if (present) return where + " should be absent, is " + output.at(check.pointer).dump();
    return std::nullopt;
  }
  if (!present) return where + " is missing";
  const json& value = output.at(check.pointer);
  if (check.glob) {
    if (!value.is_string() || !GlobMatch(*check.glob, value.get<std::string>())) {
      return where + " is " + value.dump() + ", expected to match \"" + *check.glob + "\"";
    }
    return std::nullopt;
  }
  if (std::find(check.one_of.begin(), check.one_of.end(), value) == check.one_of.end()) {
    std::string want =
        check.one_of.size() == 1 ? check.one_of[0].dump() : "one of " + json(check.one_of).dump();
    return where + " is " + value.dump() + ", expected " + want;
  }
  return std::nullopt;
}

}  // namespace

std::vector<std::string> Evaluate(const Case& c, const ClientResult& result,
                                  const std::vector<journal::Entry>& journal,
                                  const std::string& token, api::Transport transport) {
  std::vector<std::string> failures;
  if (result.exit_code == -1) {
    failures.push_back("the client did not finish: killed " + Ms(result.elapsed) +
                       " after it started (deadline " + Ms(c.deadline) + ")");
    return failures;
  }
  if (auto violation = ProtocolViolation(result)) {
    failures.push_back(*violation);
    return failures;
  }
  json output = json::parse(result.stdout_text, nullptr, false);
  if (std::find(c.exit_in.begin(), c.exit_in.end(), result.exit_code) == c.exit_in.end()) {
    failures.push_back("exit status " + std::to_string(result.exit_code) + " (" +
                       (result.exit_code == 0 ? "success" : "API error") + "), expected " +
                       (c.exit_in.size() == 1
                            ? (c.exit_in[0] == 0 ? "0 (success)" : "1 (an API error)")
                            : "0 or 1"));
  }
  for (const auto& check : c.outcome) {
    if (auto problem = CheckOutcome(check, output)) failures.push_back("outcome: " + *problem);
  }
  if (c.max_elapsed) {
    // Timed from the client's first request to its exit, so that the time an
    // interpreter takes to start on a loaded machine is not held against it.
    auto taken = result.elapsed;
    if (!journal.empty() && result.finished != std::chrono::system_clock::time_point{}) {
      taken = std::chrono::duration_cast<std::chrono::milliseconds>(result.finished -
                                                                    journal.front().real_time);
    }
    if (taken > *c.max_elapsed) {
      failures.push_back("took " + Ms(taken) +
                         " from its first request to its exit; expected at most " +
                         Ms(*c.max_elapsed) + " (deadline " + Ms(c.deadline) + ")");
    }
  }
  for (const auto& e : journal) {
    if (e.transport != transport) {
      failures.push_back("wire: request " + journal::DebugString(e) + " came over " +
                         std::string(api::TransportName(e.transport)) + "; the case runs over " +
                         std::string(api::TransportName(transport)));
      break;
    }
  }
  for (const auto& check : c.wire) {
    if (!AppliesTo(check.transports, transport)) continue;
    if (auto problem = CheckWire(check, journal, token)) {
      failures.push_back("wire: " + check.what + ": " + *problem);
    }
  }
  return failures;
}

std::string_view OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kPassed:
      return "passed";
    case Outcome::kFailed:
      return "failed";
    case Outcome::kError:
      return "error";
    case Outcome::kSkipped:
      return "skipped";
  }
  return "error";
}

std::optional<std::string> ProtocolViolation(const ClientResult& result) {
  if (result.exit_code == -1) return std::nullopt;
  if (result.exit_code != 0 && result.exit_code != 1) {
    return "the client crashed: exit status " + std::to_string(result.exit_code);
  }
  if (!json::parse(result.stdout_text, nullptr, false).is_object()) {
    return "the client's output is not one JSON object (protocol violation)";
  }
  return std::nullopt;
}

Verdict RunCase(const Case& c, ClientUnderTest& client, api::Transport transport) {
  Verdict verdict;
  verdict.test_case = &c;
  verdict.transport = transport;
  const std::string transport_name(api::TransportName(transport));
  if (!AppliesTo(c.transports, transport)) {
    verdict.failures.push_back("the case does not run over " + transport_name);
    return verdict;
  }
  if (!client.SupportsTransport(transport)) {
    verdict.outcome = Outcome::kSkipped;
    verdict.failures.push_back("the client does not declare the transport " + transport_name +
                               " among its capabilities");
    return verdict;
  }
  if (!client.Supports(c.operation)) {
    verdict.outcome = Outcome::kSkipped;
    verdict.failures.push_back("the client does not declare the operation \"" + c.operation +
                               "\" among its capabilities");
    return verdict;
  }
  FakeServerOptions options;
  options.fake.require_auth = true;
  auto server = FakeServer::Start(options);
  if (!server.ok()) {
    verdict.failures.push_back("cannot start a fake: " + server.status().message());
    return verdict;
  }
  if (Status s = (*server)->LoadScenario(c.scenario); !s.ok()) {
    verdict.failures.push_back("cannot load the scenario: " + s.message());
    return verdict;
  }
  std::vector<std::string> args = c.args;
  std::filesystem::path file;
  if (!c.file.is_null()) {
    file = std::filesystem::temp_directory_path() / ("nasfake-case-" + c.id + "-" + transport_name +
                                                     "-" + std::to_string(getpid()) + ".json");
    std::ofstream(file) << c.file.dump(2);
    for (auto& a : args) a = Replace(a, "{file}", file.string());
  }
  std::string token = "nasfake-token-" + c.id;
  verdict.result =
      client.Run(c.operation, args,
                 {(*server)->endpoint(), token, c.deadline, transport, (*server)->grpc_endpoint()});
  (*server)->Stop();
  verdict.journal = (*server)->journal().Entries();
  if (!file.empty()) std::filesystem::remove(file);
  verdict.failures = Evaluate(c, verdict.result, verdict.journal, token, transport);
  verdict.outcome = verdict.failures.empty()            ? Outcome::kPassed
                    : ProtocolViolation(verdict.result) ? Outcome::kError
                                                        : Outcome::kFailed;
  return verdict;
}

std::vector<Verdict> RunAll(const std::vector<Case>& cases, ClientUnderTest& client, int jobs,
                            const std::function<void(const Verdict&)>& on_done,
                            const Transports& transports) {
  std::vector<std::pair<const Case*, api::Transport>> runs;
  for (api::Transport transport : transports) {
    for (const Case& c : cases) {
      if (AppliesTo(c.transports, transport)) runs.emplace_back(&c, transport);
    }
  }
  std::vector<Verdict> verdicts(runs.size());
  std::atomic<size_t> next{0};
  std::mutex report_mu;
  auto worker = [&] {
    for (size_t i = next++; i < runs.size(); i = next++) {
      verdicts[i] = RunCase(*runs[i].first, client, runs[i].second);
      if (on_done) {
        std::lock_guard lock(report_mu);
        on_done(verdicts[i]);
      }
    }
  };
  std::vector<std::thread> threads;
  for (int j = 1; j < std::max(1, jobs); ++j) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  return verdicts;
}

}  // namespace nasfake::conformance
