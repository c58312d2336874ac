#include "fake/server/seed.h"

#include <algorithm>
#include <vector>

#include "fake/errors.h"
#include "fake/model/json_file.h"
#include "fake/model/json_mapping.h"

namespace nasfake::server {
namespace {

using nlohmann::json;

Status SeedError(std::string_view origin, std::string_view where, std::string_view problem) {
  return Status(StatusCode::kInvalidArgument,
                std::string(origin) + ": " + std::string(where) + ": " + std::string(problem));
}

}  // namespace

Status SeedFromJson(const json& document, std::string_view origin, store::JobStore& jobs) {
  if (!document.is_object()) return SeedError(origin, "(root)", "a seed document is an object");
  bool is_collection = document.contains("nasJobs") || document.contains("nasTrialDetails");
  std::vector<model::NasJob> new_jobs;
  std::vector<model::NasTrialDetail> new_details;
  if (!is_collection) {
    auto job = model::NasJobFromJson(document, "");
    if (!job.ok()) return SeedError(origin, "(root)", job.status().message());
    new_jobs.push_back(std::move(*job));
  } else {
    for (const auto& [key, value] : document.items()) {
      if (key != "nasJobs" && key != "nasTrialDetails") {
        return SeedError(origin, key, "unknown key; expected nasJobs or nasTrialDetails");
      }
      if (!value.is_array()) return SeedError(origin, key, "must be an array");
    }
    const json empty = json::array();
    const json& job_list = document.contains("nasJobs") ? document["nasJobs"] : empty;
    for (size_t i = 0; i < job_list.size(); ++i) {
      auto job = model::NasJobFromJson(job_list[i], "");
      std::string where = "nasJobs[" + std::to_string(i) + "]";
      if (!job.ok()) return SeedError(origin, where, job.status().message());
      new_jobs.push_back(std::move(*job));
    }
    const json& detail_list =
        document.contains("nasTrialDetails") ? document["nasTrialDetails"] : empty;
    for (size_t i = 0; i < detail_list.size(); ++i) {
      auto detail = model::NasTrialDetailFromJson(detail_list[i], "");
      std::string where = "nasTrialDetails[" + std::to_string(i) + "]";
      if (!detail.ok()) return SeedError(origin, where, detail.status().message());
      new_details.push_back(std::move(*detail));
    }
  }
  // Check every name before seeding anything, so that an error seeds nothing.
  for (size_t i = 0; i < new_jobs.size(); ++i) {
    if (!model::ParseNasJobName(new_jobs[i].name)) {
      return SeedError(
          origin, "nasJobs[" + std::to_string(i) + "].name",
          "\"" + new_jobs[i].name +
              "\" is not projects/{project}/locations/{location}/nasJobs/{numeric id}");
    }
  }
  for (size_t i = 0; i < new_details.size(); ++i) {
    auto name = model::ParseNasTrialDetailName(new_details[i].name);
    std::string where = "nasTrialDetails[" + std::to_string(i) + "].name";
    if (!name) {
      return SeedError(origin, where,
                       "\"" + new_details[i].name + "\" is not a NasTrialDetail name");
    }
    bool job_in_document = std::any_of(new_jobs.begin(), new_jobs.end(), [&](const auto& job) {
      return model::ParseNasJobName(job.name)->ToString() == name->job.ToString();
    });
    if (!job_in_document && !jobs.Peek(name->job).ok()) {
      return SeedError(origin, where, "its NasJob " + name->job.ToString() + " is not seeded");
    }
  }
  for (auto& job : new_jobs) {
    if (auto seeded = jobs.Seed(std::move(job)); !seeded.ok()) return seeded.status();
  }
  for (auto& detail : new_details) {
    if (Status s = jobs.SeedTrialDetail(std::move(detail)); !s.ok()) return s;
  }
  return Status();
}

Status SeedFromPath(const std::filesystem::path& path, store::JobStore& jobs) {
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  if (std::filesystem::is_directory(path, ec)) {
    for (const auto& entry : std::filesystem::directory_iterator(path, ec)) {
      if (entry.is_regular_file() && entry.path().extension() == ".json") {
        files.push_back(entry.path());
      }
    }
    std::sort(files.begin(), files.end());
  } else {
    files.push_back(path);
  }
  if (ec) return errors::CannotReadFile(path.string(), ec.value());
  for (const auto& file : files) {
    auto document = model::ReadJsonFile(file);
    if (!document.ok()) return document.status();
    if (Status s = SeedFromJson(*document, file.string(), jobs); !s.ok()) return s;
  }
  return Status();
}

}  // namespace nasfake::server
