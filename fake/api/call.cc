#include <charconv>

#include "fake/api/handlers.h"
#include "fake/errors.h"
#include "fake/model/json_text.h"

namespace nasfake::api {

StatusOr<model::LocationName> LocationOf(const Call& call) {
  auto location = model::ParseLocation(call.vars[0], call.vars[1]);
  if (!location) {
    return errors::InvalidResourceName("Location",
                                       "projects/" + call.vars[0] + "/locations/" + call.vars[1]);
  }
  return *location;
}

StatusOr<model::NasJobName> NasJobOf(const Call& call) {
  auto location = model::ParseLocation(call.vars[0], call.vars[1]);
  if (!location || !model::IsNumericId(call.vars[2])) {
    return errors::InvalidResourceName("NasJob", "projects/" + call.vars[0] + "/locations/" +
                                                     call.vars[1] + "/nasJobs/" + call.vars[2]);
  }
  return model::NasJobName{*location, call.vars[2]};
}

StatusOr<model::OperationName> OperationOf(const Call& call) {
  auto location = model::ParseLocation(call.vars[0], call.vars[1]);
  if (!location || !model::IsNumericId(call.vars[2])) {
    return errors::InvalidResourceName(
        "Operation",
        "projects/" + call.vars[0] + "/locations/" + call.vars[1] + "/operations/" + call.vars[2]);
  }
  return model::OperationName{*location, call.vars[2]};
}

std::string ListBody(std::string_view field, const std::vector<std::string>& items,
                     std::string_view next_page_token) {
  std::string out = "{";
  if (!items.empty()) {
    out += "\"" + std::string(field) + "\":[";
    for (size_t i = 0; i < items.size(); ++i) {
      if (i > 0) out += ',';
      out += items[i];
    }
    out += ']';
  }
  if (!next_page_token.empty()) {
    if (!items.empty()) out += ',';
    out += "\"nextPageToken\":\"" + std::string(next_page_token) + "\"";
  }
  out += '}';
  return out;
}

StatusOr<int> IntParam(const Call& call, std::string_view snake_name, int default_value) {
  auto text = call.Param(snake_name);
  if (!text) return default_value;
  int value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (text->empty() || ec != std::errc{} || end != text->data() + text->size()) {
    return errors::InvalidValue(
        snake_name, "TYPE_INT32",
        nlohmann::json(*text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }
  return value;
}

StatusOr<int> PageSizeParam(const Call& call) {
  auto page_size = IntParam(call, "page_size", 0);
  if (page_size.ok() && *page_size < 0) return errors::NegativePageSize(*page_size);
  return page_size;
}

Status ExpectEmptyBody(const Call& call) {
  const std::string& body = call.http.body;
  if (body == "{}") return Status();  // what most clients send: no need to parse it
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) return Status();
  auto parsed = model::ParseJsonText(body);
  if (!parsed.ok()) return parsed.status();
  if (!parsed->is_object()) return errors::RootNotObject();
  if (!parsed->empty()) return errors::UnknownField(parsed->begin().key(), "");
  return Status();
}

}  // namespace nasfake::api
