#include "fake/api/nas_job_validation.h"

#include <string>
#include <vector>

#include "fake/errors.h"

namespace nasfake::api {
namespace {

constexpr std::string_view kSpec = "nas_job.nas_job_spec";
constexpr std::string_view kAlgorithm = "nas_job.nas_job_spec.multi_trial_algorithm_spec";

size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// Label keys and values: at most 64 characters of lowercase letters, digits,
// '_' and '-' (international characters allowed); keys start with a letter.
bool IsLabelText(std::string_view s, bool is_key) {
  if (CodePoints(s) > 64 || (is_key && s.empty())) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = s[i];
    bool letter = (c >= 'a' && c <= 'z') || c >= 0x80;
    bool ok = letter || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok || (is_key && i == 0 && !letter)) return false;
  }
  return true;
}

bool HasWorkerPools(const nlohmann::json& custom_job_spec) {
  if (!custom_job_spec.is_object()) return false;
  auto it = custom_job_spec.find("workerPoolSpecs");
  return it != custom_job_spec.end() && it->is_array() && !it->empty();
}

std::string Path(std::string_view base, std::string_view field) {
  return std::string(base) + "." + std::string(field);
}

void CheckAlgorithm(const model::MultiTrialAlgorithmSpec& spec, std::vector<std::string>& missing) {
  if (spec.metric && spec.metric->metric_id.empty()) {
    missing.push_back(Path(kAlgorithm, "metric.metric_id"));
  }
  if (!spec.search_trial_spec) {
    missing.push_back(Path(kAlgorithm, "search_trial_spec"));
  } else {
    const auto& s = *spec.search_trial_spec;
    std::string base = Path(kAlgorithm, "search_trial_spec");
    if (s.search_trial_job_spec.is_null()) {
      missing.push_back(Path(base, "search_trial_job_spec"));
    } else if (!HasWorkerPools(s.search_trial_job_spec)) {
      missing.push_back(Path(base, "search_trial_job_spec.worker_pool_specs"));
    }
    if (s.max_trial_count == 0) missing.push_back(Path(base, "max_trial_count"));
    if (s.max_parallel_trial_count == 0) missing.push_back(Path(base, "max_parallel_trial_count"));
  }
  if (spec.train_trial_spec) {
    const auto& t = *spec.train_trial_spec;
    std::string base = Path(kAlgorithm, "train_trial_spec");
    if (t.train_trial_job_spec.is_null()) {
      missing.push_back(Path(base, "train_trial_job_spec"));
    } else if (!HasWorkerPools(t.train_trial_job_spec)) {
      missing.push_back(Path(base, "train_trial_job_spec.worker_pool_specs"));
    }
    if (t.max_parallel_trial_count == 0) missing.push_back(Path(base, "max_parallel_trial_count"));
    if (t.frequency == 0) missing.push_back(Path(base, "frequency"));
  }
}

Status CheckRanges(const model::NasJob& job) {
  if (CodePoints(job.display_name) > 128) {
    return errors::InvalidFieldValue("nas_job.display_name",
                                     "The display name must be at most 128 characters long.");
  }
  for (const auto& [key, value] : job.labels) {
    if (!IsLabelText(key, true) || !IsLabelText(value, false)) {
      return errors::InvalidFieldValue(
          "nas_job.labels",
          "Label keys and values must be at most 64 characters of lowercase letters, digits, "
          "underscores and dashes; keys must start with a letter. Invalid label: \"" +
              key + "\".");
    }
  }
  const auto& algorithm = job.nas_job_spec->multi_trial_algorithm_spec;
  if (algorithm && algorithm->metric) {
    if (algorithm->metric->metric_id.find_first_of(" \t\r\n") != std::string::npos) {
      return errors::InvalidFieldValue(Path(kAlgorithm, "metric.metric_id"),
                                       "The metric ID must not contain whitespace.");
    }
  }
  if (algorithm && algorithm->search_trial_spec) {
    const auto& s = *algorithm->search_trial_spec;
    std::string base = Path(kAlgorithm, "search_trial_spec");
    if (s.max_trial_count < 0 || s.max_parallel_trial_count < 0 || s.max_failed_trial_count < 0) {
      return errors::InvalidFieldValue(base, "Trial counts must not be negative.");
    }
    if (s.max_parallel_trial_count > s.max_trial_count) {
      return errors::InvalidFieldValue(
          Path(base, "max_parallel_trial_count"),
          "max_parallel_trial_count must not be greater than max_trial_count.");
    }
  }
  if (algorithm && algorithm->train_trial_spec) {
    const auto& t = *algorithm->train_trial_spec;
    if (t.max_parallel_trial_count < 0 || t.frequency < 0) {
      return errors::InvalidFieldValue(Path(kAlgorithm, "train_trial_spec"),
                                       "Trial counts and frequency must not be negative.");
    }
  }
  return Status();
}

}  // namespace

Status ValidateNewNasJob(model::NasJob& job, const model::LocationName& parent,
                         store::JobStore& jobs) {
  std::vector<std::string> missing;
  if (job.display_name.empty()) missing.push_back("nas_job.display_name");
  if (!job.nas_job_spec) {
    missing.push_back(std::string(kSpec));
    return errors::RequiredFieldsMissing(missing);
  }
  auto& spec = *job.nas_job_spec;
  if (!spec.resume_nas_job_id.empty()) {
    auto resumed = jobs.Peek(model::NasJobName{parent, spec.resume_nas_job_id});
    if (!model::IsNumericId(spec.resume_nas_job_id) || !resumed.ok()) {
      return errors::InvalidFieldValue(Path(kSpec, "resume_nas_job_id"),
                                       "The NasJob to resume does not exist in this location.");
    }
    // The search space and algorithm come from the resumed job (reference §2.2).
    if (resumed->nas_job_spec) {
      if (spec.search_space_spec.empty()) {
        spec.search_space_spec = resumed->nas_job_spec->search_space_spec;
      }
      if (!spec.multi_trial_algorithm_spec) {
        spec.multi_trial_algorithm_spec = resumed->nas_job_spec->multi_trial_algorithm_spec;
      }
    }
  }
  if (!spec.multi_trial_algorithm_spec) {
    missing.push_back(std::string(kAlgorithm));
  } else {
    CheckAlgorithm(*spec.multi_trial_algorithm_spec, missing);
  }
  if (!missing.empty()) return errors::RequiredFieldsMissing(missing);
  return CheckRanges(job);
}

}  // namespace nasfake::api
