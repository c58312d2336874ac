// The error catalogue: every error the fake answers with is built here, so
// that fidelity fixes land in one file. Wording follows the reference
// (NASJOBS_API.md §3.2, §5); where the reference marks a text UNCONFIRMED the
// README's "Decisions" section says what we chose.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "fake/api/request.h"
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

// --- The control API and the fake's own refusals ------------------------------
// A control API request that is not valid (INVALID_ARGUMENT, `message` says why).
Status InvalidControlRequest(std::string message);
// A control API wait (journal:wait, holds/NAME:wait) not met within its
// timeout (DEADLINE_EXCEEDED); `reason` says what was awaited and what was
// seen instead (WaitResult::reason).
Status WaitNotMet(std::string reason);
// A hold name that no scenario rule holds requests on and no request waits
// on (NOT_FOUND); `known` are the names that are known: 'No scenario rule
// holds requests on "x" (known holds: "g", "h").'.
Status UnknownHold(std::string_view name, const std::vector<std::string>& known);
// A control API path or method that does not exist (NOT_FOUND); `call` is
// "METHOD /path[:verb]" or empty for a path outside /__nasfake/v1/.
Status UnknownControlCall(std::string_view call);
// A control API request without the configured x-nasfake-control-token.
Status ControlTokenRequired();
// A new test id beyond FakeServerOptions::max_tenants (RESOURCE_EXHAUSTED).
Status TooManyTestIds(size_t max_tenants);
// A file named on the command line or by test code (a seed, scenario,
// transcript or case file, a report or transcript to write) that cannot be
// read or written, in one wording for every command: "<path>: cannot read:
// <the OS's reason, strerror(os_error)>" (INVALID_ARGUMENT) and "<path>:
// cannot write: <reason>" (UNAVAILABLE).
Status CannotReadFile(std::string_view path, int os_error);
Status CannotWriteFile(std::string_view path, int os_error);
// `nasfake replay`: a request the transcript has no answer for, UNIMPLEMENTED
// (501) so that no client takes it for an answer of the API. `request` as
// received ("GET /v1/…"), `why` what the transcript has instead ("the closest
// recorded request is …"); an ErrorInfo detail (reason
// NASFAKE_REPLAY_UNMATCHED, domain nasfake) carries both.
Status NoRecordedAnswer(std::string_view request, std::string_view why);

// --- gRPC calls that never become a request -----------------------------------
// A method this API does not serve (UNIMPLEMENTED "Method not found: <path>").
Status RpcMethodNotFound(std::string_view path);
// A request message that is not a valid encoding of the method's input (INTERNAL).
Status RpcRequestNotParsed(std::string_view message_type);
// The path field of a request (`name`, `parent`) holds no resource name of
// the method (INVALID_ARGUMENT, with a BadRequest violation of that field).
Status RpcResourceFieldInvalid(std::string_view field, std::string_view value);
// A scripted wire fault that the front end a request came on does not
// perform ("goaway" on REST): UNAVAILABLE. The scenario loader refuses such
// rules; a rule built in C++ may still name one.
Status FaultNotPerformed(std::string_view fault, std::string_view transport);

// --- Rendering ----------------------------------------------------------------
// Google's error body: {"error":{"code":<http_status>,"message":…,
// "status":"<NAME>","details":[…]}}, keys in that order, `details` only when
// there are any. Invalid UTF-8 in the message is replaced, never thrown about.
std::string ErrorBody(const Status& status, int http_status);
// ErrorBody with the HTTP status of the code (HttpStatusFor), as a response.
// The body is google.rpc.Status in proto3 JSON under "error" (with the code's
// name as "status"): every front end renders its error answers from it.
api::Response ErrorResponse(const Status& status);

// --- Non-JSON answers of Google's front end -----------------------------------
// Google's generic HTML error page: 404 for a URL that matches no route, 502
// and 503 for front-end failures. `path` is shown on the 404 page.
std::string HtmlErrorPage(int http_status, std::string_view path);
// HtmlErrorPage as a response (text/html). `nasfake record` answers an
// upstream it cannot reach with HtmlErrorResponse(502, path).
api::Response HtmlErrorResponse(int http_status, std::string_view path);

// --- The HTTP/1.1 transport's own answers (text/plain, then the connection closes)
// A request not read whole within `limit` (408).
api::Response RequestTimeout(std::chrono::milliseconds limit);
// A request line and headers over `limit` bytes (431).
api::Response HeadersTooLarge(size_t limit);
// A request line alone over `limit` bytes (414).
api::Response RequestLineTooLong(size_t limit);
// A body over `limit` bytes (413).
api::Response BodyTooLarge(size_t limit);
// A Content-Length that is not one decimal number (400).
api::Response InvalidContentLength();
// A Transfer-Encoding other than chunked (501).
api::Response TransferEncodingNotImplemented();
// The request handler threw (500): `what` is the exception's text, or empty.
api::Response HandlerFailed(std::string_view what);
// The reason phrase of an HTTP status the fake sends ("Not Found").
std::string_view ReasonPhrase(int http_status);

}  // namespace nasfake::errors
