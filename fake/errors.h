// The error catalogue: every error the fake answers with is built here, so
// that fidelity fixes land in one file. Wording follows the reference
// (NASJOBS_API.md §3.2, §5); where the reference marks a text UNCONFIRMED the
// README's "Decisions" section says what we chose.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "fake/model/enums.h"
#include "fake/status.h"

namespace nasfake::errors {

// --- Request decoding (400 INVALID_ARGUMENT) -------------------------------

// The body is not JSON. `reason` is the parser's complaint ("Unexpected
// token."); `snippet` is the text around the offending byte and `column` its
// position in the snippet (a caret line points at it).
Status MalformedJson(std::string_view reason, std::string_view snippet, size_t column);
// The body is JSON but not an object.
Status RootNotObject();
// `name` is not a field of the message at `at_path` (a proto path such as
// "nas_job.nas_job_spec"); an empty path is the request message itself.
Status UnknownField(std::string_view name, std::string_view at_path);
// A field holds a value of the wrong JSON type or out of range.
// `proto_type` is e.g. "TYPE_STRING"; `value` is the offending JSON text.
Status InvalidValue(std::string_view field_path, std::string_view proto_type,
                    std::string_view value);
// Two members of one oneof were sent (proto3 JSON allows one): `oneof` is the
// oneof's name, `field` the member that came second.
Status OneofAlreadySet(std::string_view oneof, std::string_view field);
// A query parameter that the method does not have.
Status UnknownQueryParameter(std::string_view name);
// REQUIRED fields that are missing, each a proto path ("nas_job.display_name").
Status RequiredFieldsMissing(const std::vector<std::string>& field_paths);
// A field that is present but violates a documented rule.
Status InvalidFieldValue(std::string_view field_path, std::string_view why);
// A body was sent to a method that takes none (GET, DELETE).
Status BodyNotAllowed();

// --- Lists ------------------------------------------------------------------
Status NegativePageSize(int page_size);
Status InvalidPageToken();
Status InvalidFilter(std::string_view filter, std::string_view why);
Status InvalidReadMask(std::string_view path);

// --- Resources --------------------------------------------------------------
// A name that does not have the form projects/*/locations/*/<collection>/<id>.
Status InvalidResourceName(std::string_view type, std::string_view name);
Status NasJobNotFound();
Status NasTrialDetailNotFound();
Status OperationNotFound();
// Cancel of a job in a terminal state (400 FAILED_PRECONDITION).
Status NasJobCannotBeCancelled(std::string_view name, model::JobState state);
// Cancel of an operation that is done (400 FAILED_PRECONDITION).
Status OperationNotCancellable(std::string_view name);

// --- Auth -------------------------------------------------------------------
Status Unauthenticated();
Status PermissionDenied(std::string_view permission, std::string_view resource_name);

// --- Transient faults (used by scenarios) -------------------------------------
Status Unavailable();
Status RateLimited(std::string_view retry_delay);  // RetryInfo detail, e.g. "2s"

// --- Non-JSON answers of Google's front end -----------------------------------
// Google's generic HTML error page: 404 for a URL that matches no route, 502
// and 503 for front-end failures. `path` is shown on the 404 page.
std::string HtmlErrorPage(int http_status, std::string_view path);

}  // namespace nasfake::errors
