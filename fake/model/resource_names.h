// Resource names of the API (reference §2.1) and how they are parsed.
//
// A name's project may be a project ID ("my-project") or number; Vertex
// answers with the project NUMBER in every name it returns. CanonicalProject
// maps an ID to a stable 12-digit number (the same ID always gives the same
// number), so a job created under projects/my-project is named
// projects/<number>/... and can be read back under either form.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace nasfake::model {

struct LocationName {
  std::string project;  // as canonicalised: digits
  std::string location;
  std::string ToString() const;  // projects/{project}/locations/{location}
  friend bool operator==(const LocationName&, const LocationName&) = default;
};

struct NasJobName {
  LocationName parent;
  std::string id;                // digits
  std::string ToString() const;  // .../nasJobs/{id}
  friend bool operator==(const NasJobName&, const NasJobName&) = default;
};

struct NasTrialDetailName {
  NasJobName job;
  std::string id;
  std::string ToString() const;  // .../nasJobs/{job}/nasTrialDetails/{id}
};

struct OperationName {
  LocationName parent;
  std::string id;                // digits
  std::string ToString() const;  // .../operations/{id}
};

// The project number Vertex would answer with for `project` (an ID or number).
std::string CanonicalProject(std::string_view project);

// Segment rules: project IDs are 6-30 of [a-z0-9-] starting with a letter, or
// all digits; locations are [a-z0-9-]+; job, operation and trial IDs are
// digits (up to 19). Parsers take the segments already split from a URL or the
// whole name string; they return nullopt for anything else.
std::optional<LocationName> ParseLocation(std::string_view project, std::string_view location);
bool IsNumericId(std::string_view id);

std::optional<NasJobName> ParseNasJobName(std::string_view name);
std::optional<NasTrialDetailName> ParseNasTrialDetailName(std::string_view name);
std::optional<OperationName> ParseOperationName(std::string_view name);
std::optional<LocationName> ParseLocationName(std::string_view name);

}  // namespace nasfake::model
