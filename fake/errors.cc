#include "fake/errors.h"

#include <cstring>
#include <string>
#include <utility>

#include "fake/utf8.h"

namespace nasfake::errors {
namespace {

using nlohmann::json;

constexpr std::string_view kInvalidJson = "Invalid JSON payload received. ";

json BadRequest(std::string_view field, std::string_view description) {
  json violation = json::object();
  if (!field.empty()) violation["field"] = field;
  violation["description"] = description;
  return json::array({{{"@type", "type.googleapis.com/google.rpc.BadRequest"},
                       {"fieldViolations", json::array({violation})}}});
}

Status InvalidArgument(std::string message, std::string_view field = {}) {
  json details = BadRequest(field, message);
  return Status(StatusCode::kInvalidArgument, std::move(message), std::move(details));
}

std::string Quoted(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  out.append(s);
  out += '"';
  return out;
}

// A request path as HTML text: markup characters escaped, and bytes that are
// control characters or not valid UTF-8 percent-encoded, so a hostile URL can
// neither inject markup nor make the page invalid UTF-8.
std::string HtmlPath(std::string_view path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (size_t i = 0; i < path.size();) {
    const auto c = static_cast<unsigned char>(path[i]);
    const size_t len = Utf8SequenceLength(path, i);
    if (len == 0 || c < 0x20 || c == 0x7F) {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
      i += 1;
      continue;
    }
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.append(path.substr(i, len));
    }
    i += len;
  }
  return out;
}

}  // namespace

Status MalformedJson(std::string_view reason, std::string_view snippet, size_t column) {
  std::string message = std::string(kInvalidJson) + std::string(reason);
  if (!snippet.empty()) {
    message += "\n" + std::string(snippet) + "\n" + std::string(column, ' ') + "^";
  }
  // Google's malformed-JSON answers carry no details (reference §5).
  return Status(StatusCode::kInvalidArgument, std::move(message));
}

Status RootNotObject() {
  return InvalidArgument(std::string(kInvalidJson) +
                         "Unknown name \"\": Root element must be a message.");
}

Status UnknownField(std::string_view name, std::string_view at_path) {
  std::string message = std::string(kInvalidJson) + "Unknown name " + Quoted(name);
  if (!at_path.empty()) message += " at '" + std::string(at_path) + "'";
  message += ": Cannot find field.";
  return InvalidArgument(std::move(message), at_path);
}

Status InvalidValue(std::string_view field_path, std::string_view proto_type,
                    std::string_view value) {
  // Observed Google wording has no "Invalid JSON payload received." prefix here.
  std::string message = "Invalid value at '" + std::string(field_path) + "' (" +
                        std::string(proto_type) + "), " + std::string(value);
  return InvalidArgument(std::move(message), field_path);
}

Status OneofAlreadySet(std::string_view oneof, std::string_view field) {
  // protobuf's JSON parser's wording (util/internal/proto_writer.cc).
  return InvalidArgument(std::string(kInvalidJson) + "oneof field '" + std::string(oneof) +
                             "' is already set. Cannot set '" + std::string(field) + "'",
                         field);
}

Status UnknownQueryParameter(std::string_view name) {
  return InvalidArgument(std::string(kInvalidJson) + "Unknown name " + Quoted(name) +
                         ": Cannot bind query parameter. Field '" + std::string(name) +
                         "' could not be found in request message.");
}

Status RequiredFieldsMissing(const std::vector<std::string>& field_paths) {
  // Vertex lists validation failures as "List of found errors:\t1.Field: f;
  // Message: Required field is not set.\t" with one violation per field.
  std::string message = "List of found errors:\t";
  json violations = json::array();
  int i = 1;
  for (const auto& path : field_paths) {
    message += std::to_string(i++) + ".Field: " + path + "; Message: Required field is not set.\t";
    violations.push_back({{"field", path}, {"description", "Required field is not set."}});
  }
  json details = json::array(
      {{{"@type", "type.googleapis.com/google.rpc.BadRequest"}, {"fieldViolations", violations}}});
  return Status(StatusCode::kInvalidArgument, std::move(message), std::move(details));
}

Status InvalidFieldValue(std::string_view field_path, std::string_view why) {
  std::string message = "List of found errors:\t1.Field: " + std::string(field_path) +
                        "; Message: " + std::string(why) + "\t";
  json details = BadRequest(field_path, why);
  return Status(StatusCode::kInvalidArgument, std::move(message), std::move(details));
}

Status BodyNotAllowed() {
  return InvalidArgument(std::string(kInvalidJson) +
                         "Unknown name \"\": This method does not take a request body.");
}

Status NegativePageSize(int page_size) {
  return InvalidArgument(
      "Invalid page_size: " + std::to_string(page_size) + ". page_size must not be negative.",
      "page_size");
}

Status InvalidPageToken() {
  return InvalidArgument(
      "Invalid page_token: it was not returned by a previous call with the same parent and "
      "filter.",
      "page_token");
}

Status InvalidFilter(std::string_view filter, std::string_view why) {
  return InvalidArgument("Invalid filter " + Quoted(filter) + ": " + std::string(why), "filter");
}

Status InvalidReadMask(std::string_view path) {
  return InvalidArgument("Invalid read_mask path " + Quoted(path) + ": no such field in NasJob.",
                         "read_mask");
}

Status InvalidResourceName(std::string_view type, std::string_view name) {
  return InvalidArgument("Invalid " + std::string(type) + " resource name: " + Quoted(name) + ".",
                         "name");
}

Status NasJobNotFound() { return Status(StatusCode::kNotFound, "The NasJob does not exist."); }

Status NasTrialDetailNotFound() {
  return Status(StatusCode::kNotFound, "The NasTrialDetail does not exist.");
}

Status OperationNotFound() {
  return Status(StatusCode::kNotFound, "The Operation does not exist.");
}

Status NasJobCannotBeCancelled(std::string_view name, model::JobState state) {
  return Status(StatusCode::kFailedPrecondition, "The NasJob " + Quoted(name) + " is in state " +
                                                     std::string(model::EnumName(state)) +
                                                     " and cannot be canceled.");
}

Status OperationNotCancellable(std::string_view name) {
  return Status(StatusCode::kFailedPrecondition,
                "Operation " + std::string(name) + " is not cancellable.");
}

Status Unauthenticated() {
  return Status(StatusCode::kUnauthenticated,
                "Request had invalid authentication credentials. Expected OAuth 2 access token, "
                "login cookie or other valid authentication credential. See "
                "https://developers.google.com/identity/sign-in/web/devconsole-project.");
}

Status PermissionDenied(std::string_view permission, std::string_view resource_name) {
  json details =
      json::array({{{"@type", "type.googleapis.com/google.rpc.ErrorInfo"},
                    {"reason", "IAM_PERMISSION_DENIED"},
                    {"domain", "aiplatform.googleapis.com"},
                    {"metadata", {{"permission", permission}, {"resource", resource_name}}}}});
  return Status(StatusCode::kPermissionDenied,
                "Permission '" + std::string(permission) +
                    "' denied on resource '//aiplatform.googleapis.com/" +
                    std::string(resource_name) + "' (or it may not exist).",
                std::move(details));
}

Status Unavailable() {
  return Status(StatusCode::kUnavailable, "The service is currently unavailable.");
}

Status RateLimited(std::string_view retry_delay) {
  json details = json::array(
      {{{"@type", "type.googleapis.com/google.rpc.RetryInfo"}, {"retryDelay", retry_delay}}});
  return Status(StatusCode::kResourceExhausted,
                "Quota exceeded for aiplatform.googleapis.com/job_requests. Retry later.",
                std::move(details));
}

std::string HtmlErrorPage(int http_status, std::string_view path) {
  std::string title, text;
  switch (http_status) {
    case 404:
      title = "Not Found";
      text = "The requested URL <code>" + HtmlPath(path) +
             "</code> was not found on this server.  <ins>That’s all we know.</ins>";
      break;
    case 405:
      title = "Method Not Allowed";
      text = "The request method is not supported for the URL <code>" + HtmlPath(path) +
             "</code>.  <ins>That’s all we know.</ins>";
      break;
    case 502:
      title = "Server Error";
      text =
          "The server encountered a temporary error and could not complete your request.<p>Please "
          "try again in 30 seconds.  <ins>That’s all we know.</ins>";
      break;
    default:
      title = "Service Unavailable";
      text =
          "The service you requested is not available at this time.<p>Service error -27.  "
          "<ins>That’s all we know.</ins>";
      break;
  }
  std::string code = std::to_string(http_status);
  return "<!DOCTYPE html>\n<html lang=en>\n  <meta charset=utf-8>\n  <meta name=viewport "
         "content=\"initial-scale=1, minimum-scale=1, width=device-width\">\n  <title>Error " +
         code + " (" + title +
         ")!!1</title>\n  <a href=//www.google.com/><span id=logo "
         "aria-label=Google></span></a>\n  <p><b>" +
         code + ".</b> <ins>That’s an error.</ins>\n  <p>" + text + "\n";
}

Status InvalidControlRequest(std::string message) {
  return Status(StatusCode::kInvalidArgument, std::move(message));
}

Status WaitNotMet(std::string reason) {
  return Status(StatusCode::kDeadlineExceeded, std::move(reason));
}

Status UnknownHold(std::string_view name, const std::vector<std::string>& known) {
  std::string names;
  for (const auto& hold : known) names += (names.empty() ? "\"" : ", \"") + hold + "\"";
  return Status(StatusCode::kNotFound,
                "No scenario rule holds requests on \"" + std::string(name) + "\" (" +
                    (names.empty() ? "no rule holds requests" : "known holds: " + names) + ").");
}

Status CannotReadFile(std::string_view path, int os_error) {
  return Status(StatusCode::kInvalidArgument,
                std::string(path) + ": cannot read: " + std::strerror(os_error));
}

Status CannotWriteFile(std::string_view path, int os_error) {
  return Status(StatusCode::kUnavailable,
                std::string(path) + ": cannot write: " + std::strerror(os_error));
}

Status UnknownControlCall(std::string_view call) {
  if (call.empty()) return Status(StatusCode::kNotFound, "Unknown control API path.");
  return Status(StatusCode::kNotFound, "Unknown control API call: " + std::string(call) + ".");
}

Status ControlTokenRequired() {
  return Status(StatusCode::kPermissionDenied,
                "The control API needs the x-nasfake-control-token header.");
}

Status TooManyTestIds(size_t max_tenants) {
  return Status(
      StatusCode::kResourceExhausted,
      "Too many test ids on this fake (" + std::to_string(max_tenants) + "); reset or reuse them.");
}

Status NoRecordedAnswer(std::string_view request, std::string_view why) {
  json details = json::array({{{"@type", "type.googleapis.com/google.rpc.ErrorInfo"},
                               {"reason", "NASFAKE_REPLAY_UNMATCHED"},
                               {"domain", "nasfake"},
                               {"metadata", {{"request", request}, {"why", why}}}}});
  return Status(
      StatusCode::kUnimplemented,
      "nasfake replay: no recorded answer for " + std::string(request) + ": " + std::string(why),
      std::move(details));
}

Status RpcMethodNotFound(std::string_view path) {
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  return Status(StatusCode::kUnimplemented, "Method not found: " + std::string(path));
}

Status RpcRequestNotParsed(std::string_view message_type) {
  return Status(StatusCode::kInternal,
                "Failed to parse the request message as " + std::string(message_type) + ".");
}

Status RpcResourceFieldInvalid(std::string_view field, std::string_view value) {
  return InvalidArgument(
      "Invalid resource name in field \"" + std::string(field) + "\": " + Quoted(value) + ".",
      field);
}

Status FaultNotPerformed(std::string_view fault, std::string_view transport) {
  return Status(StatusCode::kUnavailable,
                "nasfake: the scripted fault \"" + std::string(fault) + "\" is not performed over " +
                    std::string(transport) + "; answered UNAVAILABLE instead.");
}

std::string ErrorBody(const Status& status, int http_status) {
  nlohmann::ordered_json error = {{"code", http_status},
                                  {"message", status.message()},
                                  {"status", StatusCodeName(status.code())}};
  if (!status.details().empty()) error["details"] = status.details();
  return nlohmann::ordered_json{{"error", std::move(error)}}.dump(
      -1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

api::Response ErrorResponse(const Status& status) {
  api::Response response;
  response.status = HttpStatusFor(status.code());
  response.body = ErrorBody(status, response.status);
  return response;
}

api::Response HtmlErrorResponse(int http_status, std::string_view path) {
  api::Response response;
  response.status = http_status;
  response.content_type = "text/html; charset=UTF-8";
  response.body = HtmlErrorPage(http_status, path);
  return response;
}

namespace {

// "<status> <reason>: <detail>\n" as text/plain.
api::Response PlainAnswer(int http_status, std::string_view detail) {
  api::Response response;
  response.status = http_status;
  response.content_type = "text/plain; charset=UTF-8";
  response.body = std::to_string(http_status) + " " + std::string(ReasonPhrase(http_status)) +
                  ": " + std::string(detail) + "\n";
  return response;
}

}  // namespace

api::Response RequestTimeout(std::chrono::milliseconds limit) {
  return PlainAnswer(
      408, "the request was not received within " + std::to_string(limit.count()) + " ms");
}

api::Response HeadersTooLarge(size_t limit) {
  return PlainAnswer(431,
                     "the request line and headers exceed " + std::to_string(limit) + " bytes");
}

api::Response RequestLineTooLong(size_t limit) {
  return PlainAnswer(414, "the request line exceeds " + std::to_string(limit) + " bytes");
}

api::Response BodyTooLarge(size_t limit) {
  return PlainAnswer(413, "the request body exceeds " + std::to_string(limit) + " bytes");
}

api::Response InvalidContentLength() { return PlainAnswer(400, "invalid Content-Length"); }

api::Response TransferEncodingNotImplemented() {
  return PlainAnswer(501, "only the chunked Transfer-Encoding is supported");
}

api::Response HandlerFailed(std::string_view what) {
  api::Response response;
  response.status = 500;
  response.content_type = "text/plain; charset=UTF-8";
  response.body = what.empty() ? "handler failed\n" : "handler failed: " + std::string(what) + "\n";
  return response;
}

std::string_view ReasonPhrase(int http_status) {
  switch (http_status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 413:
      return "Payload Too Large";
    case 414:
      return "URI Too Long";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 499:
      return "Client Closed Request";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Unknown";
  }
}

}  // namespace nasfake::errors
