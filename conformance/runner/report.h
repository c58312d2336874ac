// Conformance reports: a text table for people, JSON for tools, JUnit XML
// for CI systems.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "conformance/runner/runner.h"

namespace nasfake::conformance {

struct Summary {
  int passed = 0;
  int failed = 0;
  int required_failed = 0;
};
Summary Summarise(const std::vector<Verdict>& verdicts);

// One line per case (id, level, verdict, time), then for each failure why:
// the expectations violated, what the client printed, and the journal.
std::string TextReport(const std::vector<Verdict>& verdicts, bool color);
// One progress line for a finished case ("  PASS  cancel-succeeds (REQUIRED, 120 ms)").
std::string ProgressLine(const Verdict& verdict, bool color);
nlohmann::json JsonReport(const std::vector<Verdict>& verdicts);
std::string JUnitXml(const std::vector<Verdict>& verdicts);

}  // namespace nasfake::conformance
