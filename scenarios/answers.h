// Scripted answers built from the error catalogue (fake/errors.h), shared by
// the scenario loader, the builder, the engine and the control API, so that a
// scripted error looks exactly like one the API itself would send.
#pragma once

#include <string>

#include "fake/model/time.h"
#include "fake/status.h"
#include "scenarios/scenario.h"

namespace nasfake::scenarios {

// `status` as the API would answer it: HTTP status HttpStatusFor(code), JSON
// content type, errors::ErrorBody, no extra headers.
ScriptedAnswer ErrorAnswer(const Status& status);

// errors::RateLimited(FormatDuration(retry_delay)) as ErrorAnswer does, plus a
// "retry-after" header (lowercase, as api::HeaderList keeps names) holding
// retry_delay in whole seconds, rounded up, so a client that honours either
// never retries early. retry_delay must be >= 0.
ScriptedAnswer RateLimitedAnswer(model::Duration retry_delay);

// Google's front-end HTML error page (errors::HtmlErrorPage(http_status, "/"))
// with HTTP status `http_status` and content type "text/html; charset=UTF-8".
ScriptedAnswer HtmlAnswer(int http_status);

}  // namespace nasfake::scenarios
