#include "scenarios/answers.h"

#include <nlohmann/json.hpp>

#include "fake/api/router.h"
#include "fake/errors.h"

namespace nasfake::scenarios {

ScriptedAnswer ErrorAnswer(const Status& status) {
  ScriptedAnswer answer;
  answer.http_status = HttpStatusFor(status.code());
  answer.body = errors::ErrorBody(status, answer.http_status);
  return answer;
}

ScriptedAnswer RateLimitedAnswer(model::Duration retry_delay) {
  ScriptedAnswer answer = ErrorAnswer(errors::RateLimited(model::FormatDuration(retry_delay)));
  auto seconds = std::chrono::ceil<std::chrono::seconds>(retry_delay).count();
  answer.headers.emplace_back("retry-after", std::to_string(seconds));
  return answer;
}

ScriptedAnswer HtmlAnswer(int http_status) {
  ScriptedAnswer answer;
  answer.http_status = http_status;
  answer.content_type = "text/html; charset=UTF-8";
  answer.body = errors::HtmlErrorPage(http_status, "/");
  return answer;
}

}  // namespace nasfake::scenarios
