#include "fake/model/resource_names.h"

#include <cstdint>
#include <vector>

namespace nasfake::model {
namespace {

bool IsDigits(std::string_view s, size_t max_len) {
  if (s.empty() || s.size() > max_len) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

bool IsProjectId(std::string_view s) {
  if (s.size() < 6 || s.size() > 30 || s.front() < 'a' || s.front() > 'z' || s.back() == '-') {
    return false;
  }
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

bool IsLocationId(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

std::vector<std::string_view> Split(std::string_view s) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t slash = s.find('/', start);
    parts.push_back(s.substr(start, slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return parts;
}

}  // namespace

std::string LocationName::ToString() const {
  return "projects/" + project + "/locations/" + location;
}
std::string NasJobName::ToString() const { return parent.ToString() + "/nasJobs/" + id; }
std::string NasTrialDetailName::ToString() const {
  return job.ToString() + "/nasTrialDetails/" + id;
}
std::string OperationName::ToString() const { return parent.ToString() + "/operations/" + id; }

std::string CanonicalProject(std::string_view project) {
  if (IsDigits(project, 20)) return std::string(project);
  // FNV-1a, folded into 12 digits that never start with 0.
  uint64_t h = 1469598103934665603ULL;
  for (char c : project) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return std::to_string(100000000000ULL + h % 900000000000ULL);
}

bool IsNumericId(std::string_view id) { return IsDigits(id, 19); }

std::optional<LocationName> ParseLocation(std::string_view project, std::string_view location) {
  if (!(IsDigits(project, 20) || IsProjectId(project)) || !IsLocationId(location)) {
    return std::nullopt;
  }
  return LocationName{CanonicalProject(project), std::string(location)};
}

std::optional<LocationName> ParseLocationName(std::string_view name) {
  auto p = Split(name);
  if (p.size() != 4 || p[0] != "projects" || p[2] != "locations") return std::nullopt;
  return ParseLocation(p[1], p[3]);
}

std::optional<NasJobName> ParseNasJobName(std::string_view name) {
  auto p = Split(name);
  if (p.size() != 6 || p[0] != "projects" || p[2] != "locations" || p[4] != "nasJobs" ||
      !IsNumericId(p[5])) {
    return std::nullopt;
  }
  auto parent = ParseLocation(p[1], p[3]);
  if (!parent) return std::nullopt;
  return NasJobName{*parent, std::string(p[5])};
}

std::optional<NasTrialDetailName> ParseNasTrialDetailName(std::string_view name) {
  auto slash = name.rfind("/nasTrialDetails/");
  if (slash == std::string_view::npos) return std::nullopt;
  auto job = ParseNasJobName(name.substr(0, slash));
  auto id = name.substr(slash + std::string_view("/nasTrialDetails/").size());
  if (!job || !IsNumericId(id)) return std::nullopt;
  return NasTrialDetailName{*job, std::string(id)};
}

std::optional<OperationName> ParseOperationName(std::string_view name) {
  auto p = Split(name);
  if (p.size() != 6 || p[0] != "projects" || p[2] != "locations" || p[4] != "operations" ||
      !IsNumericId(p[5])) {
    return std::nullopt;
  }
  auto parent = ParseLocation(p[1], p[3]);
  if (!parent) return std::nullopt;
  return OperationName{*parent, std::string(p[5])};
}

}  // namespace nasfake::model
