// projects.locations.nasJobs: create, get, list, delete, cancel.
#include <algorithm>
#include <array>

#include "fake/api/handlers.h"
#include "fake/api/list_filter.h"
#include "fake/api/nas_job_validation.h"
#include "fake/errors.h"
#include "fake/model/json_text.h"

namespace nasfake::api {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 15> kNasJobFields = {"name",
                                                            "displayName",
                                                            "nasJobSpec",
                                                            "nasJobOutput",
                                                            "state",
                                                            "createTime",
                                                            "startTime",
                                                            "endTime",
                                                            "updateTime",
                                                            "error",
                                                            "labels",
                                                            "encryptionSpec",
                                                            "enableRestrictedImageTraining",
                                                            "satisfiesPzs",
                                                            "satisfiesPzi"};

std::string CamelCase(std::string_view snake) {
  std::string out;
  bool upper = false;
  for (char c : snake) {
    if (c == '_') {
      upper = true;
    } else {
      out += upper && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
      upper = false;
    }
  }
  return out;
}

// A FieldMask: comma-separated paths, each dot-separated; snake_case or
// camelCase. Returned as JSON pointers into the NasJob's JSON.
StatusOr<std::vector<json::json_pointer>> ParseReadMask(std::string_view text) {
  std::vector<json::json_pointer> paths;
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view path = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    json::json_pointer pointer;
    std::string_view rest = path;
    while (true) {
      size_t dot = rest.find('.');
      std::string segment = CamelCase(rest.substr(0, dot));
      if (segment.empty()) return errors::InvalidReadMask(path);
      pointer /= segment;
      if (dot == std::string_view::npos) break;
      rest = rest.substr(dot + 1);
    }
    std::string top = pointer.to_string().substr(1);
    top = top.substr(0, top.find('/'));
    if (std::find(kNasJobFields.begin(), kNasJobFields.end(), top) == kNasJobFields.end()) {
      return errors::InvalidReadMask(path);
    }
    paths.push_back(std::move(pointer));
  }
  return paths;
}

std::string Masked(const std::string& job_json, const std::vector<json::json_pointer>& paths) {
  json full = json::parse(job_json);
  json out = json::object();
  for (const auto& path : paths) {
    if (full.contains(path)) out[path] = full[path];
  }
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

StatusOr<std::string> CreateNasJob(FakeEnv& env, const Call& call) {
  auto parent = LocationOf(call);
  if (!parent.ok()) return parent.status();
  json body = json::object();
  if (call.http.body.find_first_not_of(" \t\r\n") != std::string::npos) {
    auto parsed = model::ParseJsonText(call.http.body);
    if (!parsed.ok()) return parsed.status();
    body = std::move(*parsed);
  }
  auto job = model::NasJobFromJson(body, "nas_job");
  if (!job.ok()) return job.status();
  if (Status valid = ValidateNewNasJob(*job, *parent, env.jobs()); !valid.ok()) return valid;
  return model::ToJson(env.jobs().Create(*parent, std::move(*job)), call.json);
}

StatusOr<std::string> GetNasJob(FakeEnv& env, const Call& call) {
  auto name = NasJobOf(call);
  if (!name.ok()) return name.status();
  return env.jobs().GetJson(*name, call.json);
}

StatusOr<std::string> ListNasJobs(FakeEnv& env, const Call& call) {
  auto parent = LocationOf(call);
  if (!parent.ok()) return parent.status();
  auto page_size = PageSizeParam(call);
  if (!page_size.ok()) return page_size.status();
  std::string_view filter_text = call.Param("filter").value_or("");
  auto filter = ListFilter::Parse(filter_text);
  if (!filter.ok()) return filter.status();
  std::vector<json::json_pointer> mask;
  if (auto read_mask = call.Param("read_mask"); read_mask && !read_mask->empty()) {
    auto parsed = ParseReadMask(*read_mask);
    if (!parsed.ok()) return parsed.status();
    mask = std::move(*parsed);
  }
  auto page = env.jobs().List(
      *parent, [&](const model::NasJob& job) { return filter->Matches(job); }, filter_text,
      *page_size, call.Param("page_token").value_or(""));
  if (!page.ok()) return page.status();

  std::vector<std::string> items;
  for (const auto& job : page->jobs) {
    std::string job_json = model::ToJson(job, call.json);
    items.push_back(mask.empty() ? std::move(job_json) : Masked(job_json, mask));
  }
  return ListBody("nasJobs", items, page->next_page_token);
}

StatusOr<std::string> DeleteNasJob(FakeEnv& env, const Call& call) {
  auto name = NasJobOf(call);
  if (!name.ok()) return name.status();
  if (auto job = env.jobs().Peek(*name); !job.ok()) return job.status();
  store::JobStore& jobs = env.jobs();
  model::Operation operation = env.operations().StartDelete(
      name->parent, [&jobs, name = *name] { return jobs.Delete(name); });
  return model::ToJson(operation, call.json);
}

StatusOr<std::string> CancelNasJob(FakeEnv& env, const Call& call) {
  auto name = NasJobOf(call);
  if (!name.ok()) return name.status();
  if (Status body = ExpectEmptyBody(call); !body.ok()) return body;
  if (Status cancelled = env.jobs().Cancel(*name); !cancelled.ok()) return cancelled;
  return std::string("{}");
}

}  // namespace nasfake::api
