#include "fake/api/wire_fault.h"

#include <string>

namespace nasfake::api {

nlohmann::json FaultJson(const WireFault& fault) {
  const FaultKindInfo& row = FaultKindOf(fault.kind);
  nlohmann::json out = {{"kind", row.name},
                        {"bytes", fault.bytes},
                        {"durationMs", fault.duration.count()}};
  if (row.takes_code()) {
    const uint32_t code = CodeOf(fault);
    const std::string_view name = Http2ErrorName(code);
    out["code"] = name.empty() ? nlohmann::json(code) : nlohmann::json(name);
  }
  return out;
}

}  // namespace nasfake::api
