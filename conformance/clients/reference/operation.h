// One conformance-protocol operation (conformance/PROTOCOL.md) performed with
// the reference client over either transport: shared by the adapter program
// and the in-process GoogleTest adapter, so both run exactly the same client
// code.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "conformance/clients/reference/nas_jobs_api.h"

namespace nasfake::reference {

struct OperationOutcome {
  int exit_code = 0;      // 0 success, 1 API error, 2 usage error (output is null then)
  nlohmann::json output;  // what the adapter prints
  std::string problem;    // for a usage error: what is wrong
};

// `operation` and its arguments as PROTOCOL.md defines them (get NAME,
// cancel NAME, cancel-and-wait NAME, list PARENT [FILTER], create PARENT FILE,
// delete NAME). An API error is {"error": {"status", "message"}}, with
// "details" when the error had some.
OperationOutcome PerformOperation(NasJobsApi& client, const std::string& operation,
                                  const std::vector<std::string>& args);

}  // namespace nasfake::reference
