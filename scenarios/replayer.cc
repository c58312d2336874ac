#include "scenarios/replayer.h"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>

#include "fake/api/query.h"
#include "fake/errors.h"

namespace nasfake::scenarios {
namespace {

using nlohmann::json;

// The system parameters LooseReplayKey drops.
constexpr std::array<std::string_view, 8> kLooseDropped = {
    "$alt", "alt", "prettyPrint", "$prettyPrint", "key", "access_token", "quotaUser", "fields"};
// The system parameters that never change an answer's content, which
// ReplayKey drops (and $alt / alt when `json`).
constexpr std::array<std::string_view, 5> kNeverChangeTheAnswer = {
    "key", "access_token", "quotaUser", "prettyPrint", "$prettyPrint"};

// How many bytes of a body a request's description shows.
constexpr size_t kDescribedBody = 120;

template <size_t N>
bool Contains(const std::array<std::string_view, N>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// JSON without whitespace and with sorted keys; anything else as is.
std::string NormalisedBody(const std::string& body) {
  json document = json::parse(body, nullptr, false);
  if (document.is_discarded()) return body;
  return document.dump(-1, ' ', false, json::error_handler_t::replace);
}

// "POST /v1/…:cancel body={"force":true}": the request as received, its body
// (normalised, cut) only when it has one.
std::string Describe(const api::Request& request) {
  std::string out = request.method + " " + request.target;
  if (request.body.empty()) return out;
  std::string body = NormalisedBody(request.body);
  if (body.size() > kDescribedBody) body = body.substr(0, kDescribedBody) + "…";
  return out + " body=" + body;
}

}  // namespace

std::string ReplayKey(const api::Request& request) {
  std::string key = request.method + " ";
  auto parsed = api::ParseTarget(request.target);
  if (!parsed) {
    key += request.target;  // not a target the API serves: matched exactly
  } else {
    key += parsed->path;
    std::vector<std::string> kept;
    for (const auto& [name, value] : parsed->query) {
      if (Contains(kNeverChangeTheAnswer, name)) continue;
      if ((name == "$alt" || name == "alt") && value == "json") continue;
      kept.push_back(api::PercentEncode(name, false) + "=" + api::PercentEncode(value, false));
    }
    std::sort(kept.begin(), kept.end());
    for (size_t i = 0; i < kept.size(); ++i) key += (i == 0 ? "?" : "&") + kept[i];
  }
  if (!request.body.empty()) key += " " + NormalisedBody(request.body);
  return key;
}

std::string LooseReplayKey(std::string_view method, std::string_view target) {
  std::string key = std::string(method) + " ";
  size_t question = target.find('?');
  key += target.substr(0, question);
  if (question == std::string_view::npos) return key;
  std::string_view query = target.substr(question + 1);
  std::string kept;
  while (true) {
    size_t amp = query.find('&');
    std::string_view parameter = query.substr(0, amp);
    std::string_view name = parameter.substr(0, parameter.find('='));
    if (!Contains(kLooseDropped, api::PercentDecode(name, false).value_or(std::string(name)))) {
      kept += kept.empty() ? "" : "&";
      kept += parameter;
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  if (!kept.empty()) key += "?" + kept;
  return key;
}

Replayer::Replayer(Transcript transcript, ReplayOptions options)
    : transcript_(std::move(transcript)),
      options_(options),
      used_(transcript_.exchanges.size(), false) {
  for (size_t i = 0; i < transcript_.exchanges.size(); ++i) {
    keys_.push_back(Key(transcript_.exchanges[i].request));
    pending_[keys_.back()].push_back(i);
  }
}

std::string Replayer::Key(const api::Request& request) const {
  return options_.loose ? LooseReplayKey(request.method, request.target) : ReplayKey(request);
}

std::string Replayer::Closest(const std::string& key) const {
  if (keys_.empty()) return "the transcript has no exchanges";
  size_t best = 0, best_length = 0;
  for (size_t i = 0; i < keys_.size(); ++i) {
    const auto common = std::mismatch(key.begin(), key.end(), keys_[i].begin(), keys_[i].end());
    const auto length = static_cast<size_t>(common.first - key.begin());
    if (length > best_length) {
      best = i;
      best_length = length;
    }
  }
  return "the closest recorded request is " + Describe(transcript_.exchanges[best].request) +
         " (exchanges[" + std::to_string(best) + "])";
}

api::Response Replayer::Answer(const api::Request& request) {
  const std::string key = Key(request);
  std::lock_guard lock(mu_);
  std::string why;
  if (options_.strict_order) {
    if (next_ < keys_.size() && keys_[next_] == key) {
      used_[next_] = true;
      ++answered_;
      return transcript_.exchanges[next_++].response;
    }
    why = next_ == keys_.size() ? "every recorded exchange was served"
                                : "it is out of the recorded order: the next recorded request is " +
                                      Describe(transcript_.exchanges[next_].request) +
                                      " (exchanges[" + std::to_string(next_) + "])";
  } else if (auto it = pending_.find(key); it != pending_.end() && !it->second.empty()) {
    size_t index = it->second.front();
    it->second.pop_front();
    used_[index] = true;
    ++answered_;
    return transcript_.exchanges[index].response;
  } else if (pending_.count(key) > 0) {
    const auto recorded = std::count(keys_.begin(), keys_.end(), key);
    why = "the " + std::to_string(recorded) + " recorded " +
          (recorded == 1 ? "answer for it was" : "answers for it were") + " used up";
  } else {
    why = Closest(key);
  }
  const std::string described = Describe(request);
  unmatched_.push_back(described);
  return errors::ErrorResponse(errors::NoRecordedAnswer(described, why));
}

ReplayReport Replayer::Report() const {
  std::lock_guard lock(mu_);
  ReplayReport report;
  report.answered = answered_;
  report.unmatched = unmatched_;
  for (size_t i = 0; i < used_.size(); ++i) {
    if (used_[i]) continue;
    const api::Request& request = transcript_.exchanges[i].request;
    report.unused.push_back({i, request.method + " " + request.target});
  }
  return report;
}

}  // namespace nasfake::scenarios
