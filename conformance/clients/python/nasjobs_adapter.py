#!/usr/bin/env python3
"""A small NasJobs (Vertex AI v1) REST client and its conformance adapter.

Implements conformance/PROTOCOL.md (adapter protocol v3, over REST only):

    nasjobs_adapter.py get NAME
    nasjobs_adapter.py cancel NAME
    nasjobs_adapter.py cancel-and-wait NAME
    nasjobs_adapter.py list PARENT [FILTER]
    nasjobs_adapter.py create PARENT FILE
    nasjobs_adapter.py delete NAME
    nasjobs_adapter.py capabilities      {"operations": [every one above], "transports": ["rest"]}
    nasjobs_adapter.py persistent        one JSON request per line on stdin, one answer per line

Environment: NASFAKE_ENDPOINT, NASFAKE_TOKEN, NASFAKE_DEADLINE_MS (persistent: in each request).
Prints exactly one JSON object; exit 0 on success, 1 on an API error
({"error": {"status", "message"[, "details"]}}, the details as the error body had them),
2 on a usage error, 3 on an unexpected crash (traceback on stderr). Persistent, it
answers each request line with the object it would print and exits 0 at the end of
its input, 2 on a request it cannot read, 3 on a crash.

Python 3.11 standard library only. Every concern is one method of
NasJobsClient, so a deliberately wrong client (conformance/clients/mutants/)
can subclass it and override exactly one method.
"""

import email.utils
import http.client
import json
import os
import socket
import sys
import time
import traceback
import urllib.parse



def _process_start():
    """time.monotonic() of this process's creation (fork), so that the deadline also
    covers interpreter start-up and any exec chain (e.g. a pyenv shim). Linux only;
    elsewhere (or if it looks wrong) the time this module was imported."""
    now = time.monotonic()
    try:
        with open("/proc/self/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        started = int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22: starttime
        elapsed = time.clock_gettime(time.CLOCK_BOOTTIME) - started
    except (OSError, ValueError, IndexError, AttributeError):
        return now
    return now - elapsed if 0 <= elapsed < 2.0 else now


_PROCESS_START = _process_start()  # the deadline counts from process start

# google.rpc.Code names (code.proto), indexed by number.
RPC_CODES = [
    "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
    "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
    "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
    "UNAUTHENTICATED",
]

# google.cloud.aiplatform.v1.JobState names, indexed by number.
JOB_STATES = [
    "JOB_STATE_UNSPECIFIED", "JOB_STATE_QUEUED", "JOB_STATE_PENDING", "JOB_STATE_RUNNING",
    "JOB_STATE_SUCCEEDED", "JOB_STATE_FAILED", "JOB_STATE_CANCELLING", "JOB_STATE_CANCELLED",
    "JOB_STATE_PAUSED", "JOB_STATE_EXPIRED", "JOB_STATE_UPDATING",
    "JOB_STATE_PARTIALLY_SUCCEEDED",
]

# PROTOCOL.md: terminal states (CANCELLING is not terminal).
TERMINAL_STATES = frozenset({
    "JOB_STATE_SUCCEEDED", "JOB_STATE_FAILED", "JOB_STATE_CANCELLED", "JOB_STATE_EXPIRED",
    "JOB_STATE_PARTIALLY_SUCCEEDED",
})

# PROTOCOL.md: status from the HTTP status when the error body is unusable.
HTTP_TO_STATUS = {
    400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED",
    404: "NOT_FOUND", 409: "ABORTED", 429: "RESOURCE_EXHAUSTED", 499: "CANCELLED",
    501: "UNIMPLEMENTED", 503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED",
}

RETRYABLE_HTTP = frozenset({429, 500, 502, 503, 504})


class ApiError(Exception):
    """An error to report as {"error": {"status", "message"[, "details"]}} (exit 1)."""

    def __init__(self, status, message, http_status=None, retry_after=None, transport=False,
                 details=None):
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message
        self.details = details or []      # the error body's google.rpc details
        self.http_status = http_status    # None when no HTTP answer was read
        self.retry_after = retry_after    # seconds the server asked us to wait, or None
        self.transport = transport        # connection failed / reset / closed early


class NasJobsClient:
    # Retry policy for idempotent requests.
    RETRY_INITIAL = 0.05
    RETRY_MULTIPLIER = 1.5
    RETRY_MAX_DELAY = 0.5
    RETRY_MAX_ATTEMPTS = 5
    # Polling policy (cancel-and-wait, delete operation).
    POLL_INITIAL = 0.02
    POLL_MULTIPLIER = 1.5
    POLL_MAX_DELAY = 0.25
    # Default overall deadline when NASFAKE_DEADLINE_MS is absent.
    DEFAULT_DEADLINE_MS = 30000
    USER_AGENT = "nasjobs-python-adapter/1.0 gl-python/3"

    def __init__(self, endpoint, token="", deadline_ms=None, start=None):
        parts = urllib.parse.urlsplit(endpoint.rstrip("/"))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"bad endpoint {endpoint!r}")
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port
        self.base_path = parts.path.rstrip("/")
        self.token = token
        start = _PROCESS_START if start is None else start
        ms = self.DEFAULT_DEADLINE_MS if deadline_ms is None else max(0, int(deadline_ms))
        # Return a little before the deadline: the caller's clock started first.
        margin = min(0.05, ms / 1000.0 * 0.1)
        self.deadline = start + ms / 1000.0 - margin

    @classmethod
    def from_env(cls, environ=None):
        env = os.environ if environ is None else environ
        endpoint = env.get("NASFAKE_ENDPOINT")
        if not endpoint:
            raise ValueError("NASFAKE_ENDPOINT is not set")
        raw = env.get("NASFAKE_DEADLINE_MS")
        deadline_ms = int(float(raw)) if raw not in (None, "") else None
        return cls(endpoint, env.get("NASFAKE_TOKEN", ""), deadline_ms)

    # ---------------------------------------------------------------- deadline

    def remaining(self):
        """Seconds left before the overall deadline; DEADLINE_EXCEEDED when none."""
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise ApiError("DEADLINE_EXCEEDED", "the deadline passed")
        return left

    def sleep(self, seconds):
        """Sleeps, but never past the deadline (DEADLINE_EXCEEDED if it would)."""
        left = self.remaining()
        if seconds >= left:
            time.sleep(left)
            raise ApiError("DEADLINE_EXCEEDED", "the deadline passed while waiting")
        if seconds > 0:
            time.sleep(seconds)

    # ------------------------------------------------------------ url building

    def quote_name(self, name):
        """A resource name as a URL path: each segment quoted, '/' kept."""
        return "/".join(urllib.parse.quote(seg, safe="") for seg in name.split("/"))

    def build_path(self, name, suffix="", query=None):
        path = f"{self.base_path}/v1/{self.quote_name(name)}{suffix}"
        if query:
            path += "?" + "&".join(
                f"{k}={self.encode_query_value(v)}" for k, v in query if v not in (None, ""))
        return path.rstrip("?")

    def encode_query_value(self, value):
        return urllib.parse.quote(str(value), safe="")  # spaces as %20, never '+'

    # --------------------------------------------------------------- transport

    def auth_headers(self):
        return {"Authorization": f"Bearer {self.token}"}

    def encode_body(self, method, payload):
        """Bytes to send, or None: GET and DELETE never carry a body."""
        if method in ("GET", "DELETE") or payload is None:
            return None
        if isinstance(payload, (bytes, bytearray)):
            return bytes(payload)
        return json.dumps(payload, separators=(",", ":")).encode("utf-8")

    def request_headers(self, method, body):
        headers = {"Accept": "application/json", "User-Agent": self.USER_AGENT}
        headers.update(self.auth_headers())
        if body is not None:
            headers["Content-Type"] = "application/json"
        return headers

    def new_connection(self, timeout):
        cls = http.client.HTTPSConnection if self.scheme == "https" else http.client.HTTPConnection
        return cls(self.host, self.port, timeout=timeout)

    def send(self, method, path, body):
        """One HTTP exchange. Returns (status, headers, body bytes).

        Every socket wait is bounded by the time left. Raises ApiError:
        DEADLINE_EXCEEDED on a timeout, UNAVAILABLE (transport=True) when the
        connection fails, is reset or closes early.
        """
        conn = self.new_connection(self.remaining())
        try:
            conn.request(method, path, body=body, headers=self.request_headers(method, body))
            conn.sock.settimeout(self.remaining())
            resp = conn.getresponse()
            chunks = []
            while True:
                if conn.sock is not None:
                    conn.sock.settimeout(self.remaining())
                chunk = resp.read(65536)
                if not chunk:
                    break
                chunks.append(chunk)
            return resp.status, resp.headers, b"".join(chunks)
        except ApiError:
            raise
        except (OSError, http.client.HTTPException) as e:  # incl. socket.timeout, resets
            raise self.map_transport_error(e)
        finally:
            conn.close()

    # ----------------------------------------------------------- error mapping

    def map_transport_error(self, exc):
        if isinstance(exc, (socket.timeout, TimeoutError)):
            return ApiError("DEADLINE_EXCEEDED", f"the deadline passed ({exc or 'timed out'})")
        if time.monotonic() >= self.deadline:
            return ApiError("DEADLINE_EXCEEDED", f"the deadline passed ({type(exc).__name__})")
        return ApiError("UNAVAILABLE", f"connection failed: {type(exc).__name__}: {exc}",
                        transport=True)

    def map_http_error(self, status, headers, data):
        """ApiError for a non-2xx answer (PROTOCOL.md's table)."""
        code, message, retry_info, details = None, None, None, None
        try:
            doc = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            doc = None
        err = doc.get("error") if isinstance(doc, dict) else None
        if isinstance(err, dict):
            if isinstance(err.get("status"), str) and err["status"] in RPC_CODES[1:]:
                code = err["status"]
            if isinstance(err.get("message"), str):
                message = err["message"]
            retry_info = self.retry_info_delay(err.get("details"))
            if isinstance(err.get("details"), list):
                details = err["details"]
        if code is None:
            if status in HTTP_TO_STATUS:
                code = HTTP_TO_STATUS[status]
            elif 400 <= status < 500:
                code = "FAILED_PRECONDITION"
            elif 500 <= status < 600:
                code = "INTERNAL"
            else:
                code = "UNKNOWN"
        if message is None:
            message = f"HTTP {status}"
        retry_after = retry_info
        header_delay = self.retry_after_header(headers)
        if header_delay is not None:
            retry_after = max(retry_after or 0.0, header_delay)
        return ApiError(code, message, http_status=status, retry_after=retry_after,
                        details=details)

    def retry_info_delay(self, details):
        """Seconds from a google.rpc.RetryInfo detail, or None."""
        if not isinstance(details, list):
            return None
        for d in details:
            if (isinstance(d, dict) and str(d.get("@type", "")).endswith("google.rpc.RetryInfo")):
                delay = d.get("retryDelay")
                if isinstance(delay, str) and delay.endswith("s"):
                    try:
                        return max(0.0, float(delay[:-1]))
                    except ValueError:
                        return None
                if isinstance(delay, dict):  # {"seconds":…, "nanos":…}
                    try:
                        return float(delay.get("seconds", 0)) + float(delay.get("nanos", 0)) / 1e9
                    except (TypeError, ValueError):
                        return None
        return None

    def retry_after_header(self, headers):
        value = headers.get("Retry-After") if headers is not None else None
        if not value:
            return None
        value = value.strip()
        try:
            return max(0.0, float(value))
        except ValueError:
            pass
        try:
            when = email.utils.parsedate_to_datetime(value)
            return max(0.0, when.timestamp() - time.time())
        except (TypeError, ValueError, IndexError, OverflowError):
            return None

    def parse_json(self, data, what):
        """The JSON object of a 2xx answer; UNKNOWN when it is not one."""
        try:
            doc = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            raise ApiError("UNKNOWN", f"the {what} answer is not valid JSON: {e}")
        if not isinstance(doc, dict):
            raise ApiError("UNKNOWN", f"the {what} answer is not a JSON object")
        return doc

    # ------------------------------------------------------------ retry policy

    def is_retryable(self, err):
        return err.transport or err.http_status in RETRYABLE_HTTP

    def retry_delays(self):
        """Backoff before the 2nd, 3rd, … attempt (RETRY_MAX_ATTEMPTS in all)."""
        delay = self.RETRY_INITIAL
        for _ in range(self.RETRY_MAX_ATTEMPTS - 1):
            yield delay
            delay = min(delay * self.RETRY_MULTIPLIER, self.RETRY_MAX_DELAY)

    def retry_wait(self, err, backoff):
        """How long to wait before retrying after err: at least the server's hint."""
        return max(backoff, err.retry_after or 0.0)

    def exchange(self, method, path, payload=None):
        """One request; returns (status, headers, data) of a 2xx answer or raises ApiError."""
        body = self.encode_body(method, payload)
        status, headers, data = self.send(method, path, body)
        if not 200 <= status < 300:
            raise self.map_http_error(status, headers, data)
        return status, headers, data

    def call(self, method, path, payload=None, idempotent=False, what="API"):
        """A request with the retry policy; returns the answer's JSON object."""
        delays = self.retry_delays() if idempotent else iter(())
        while True:
            try:
                _, _, data = self.exchange(method, path, payload)
                break
            except ApiError as err:
                if err.status == "DEADLINE_EXCEEDED" and err.http_status is None:
                    raise
                if not self.is_retryable(err):
                    raise
                backoff = next(delays, None)
                if backoff is None:
                    raise
                wait = self.retry_wait(err, backoff)
                if wait >= self.remaining():
                    raise  # no time left to retry: surface what the server said
                self.sleep(wait)
        return self.parse_json(data, what)

    # ---------------------------------------------------------------- decoding

    def state_name(self, job):
        state = job.get("state")
        if isinstance(state, int) and not isinstance(state, bool) and 0 <= state < len(JOB_STATES):
            return JOB_STATES[state]
        return state

    def decode_job(self, obj):
        """A NasJob as printed: unknown fields kept, an integer state mapped to its name."""
        if not isinstance(obj, dict):
            raise ApiError("UNKNOWN", "a NasJob in the answer is not a JSON object")
        job = dict(obj)
        if "state" in job:
            job["state"] = self.state_name(job)
        return job

    def is_terminal(self, job):
        return self.state_name(job) in TERMINAL_STATES

    def poll_delays(self):
        """Waits between polls: POLL_INITIAL growing ×POLL_MULTIPLIER up to POLL_MAX_DELAY."""
        delay = self.POLL_INITIAL
        while True:
            yield delay
            delay = min(delay * self.POLL_MULTIPLIER, self.POLL_MAX_DELAY)

    # -------------------------------------------------------------- operations

    def get(self, name):
        return self.decode_job(self.call("GET", self.build_path(name), idempotent=True, what="get"))

    def cancel_request_body(self, name):
        return b"{}"  # CancelNasJobRequest has only the path field `name`

    def cancel(self, name):
        """One cancel call, never retried (it is not idempotent on the wire)."""
        self.call("POST", self.build_path(name, ":cancel"), self.cancel_request_body(name),
                  idempotent=False, what="cancel")
        return {}

    def wait_until_terminal(self, name):
        """Gets the job (first at once, then with backoff) until its first terminal state."""
        delays = self.poll_delays()
        while True:
            job = self.get(name)
            if self.is_terminal(job):
                return job
            self.sleep(next(delays))

    def cancel_and_wait(self, name):
        self.cancel(name)
        return self.wait_until_terminal(name)

    def list(self, parent, filter=None):
        jobs, token = [], None
        while True:
            query = [("filter", filter), ("pageToken", token)]
            page = self.call("GET", self.build_path(parent, "/nasJobs", query),
                             idempotent=True, what="list")
            items = page.get("nasJobs", [])
            if items is None:
                items = []
            if not isinstance(items, list):
                raise ApiError("UNKNOWN", "nasJobs in the list answer is not a list")
            jobs.extend(self.decode_job(j) for j in items)
            token = page.get("nextPageToken")
            if not token:
                return jobs
            if not isinstance(token, str):
                raise ApiError("UNKNOWN", "nextPageToken is not a string")

    def create(self, parent, job):
        return self.decode_job(self.call("POST", self.build_path(parent, "/nasJobs"), job,
                                         idempotent=False, what="create"))

    def delete(self, name):
        op = self.call("DELETE", self.build_path(name), idempotent=False, what="delete")
        return self.wait_operation(op)

    def operation_error(self, op):
        err = op.get("error")
        if not isinstance(err, dict):
            return None
        code = err.get("code")
        if isinstance(code, int) and 0 < code < len(RPC_CODES):
            status = RPC_CODES[code]
        elif isinstance(code, str) and code in RPC_CODES[1:]:
            status = code
        else:
            status = "UNKNOWN"
        return ApiError(status, str(err.get("message", "the operation failed")))

    def wait_operation(self, op):
        """Polls a long-running Operation until done; returns it, or raises its error."""
        delays = self.poll_delays()
        while not op.get("done"):
            name = op.get("name")
            if not isinstance(name, str) or not name:
                raise ApiError("UNKNOWN", "the operation is not done and has no name")
            op = self.call("GET", self.build_path(name), idempotent=True, what="operation")
            if op.get("done"):
                break
            self.sleep(next(delays))
        err = self.operation_error(op)
        if err is not None:
            raise err
        return op


# ------------------------------------------------------------------ the adapter

USAGE = ("usage: nasjobs_adapter.py get NAME | cancel NAME | cancel-and-wait NAME | "
         "list PARENT [FILTER] | create PARENT FILE | delete NAME | capabilities | persistent")

ARITY = {"get": (1, 1), "cancel": (1, 1), "cancel-and-wait": (1, 1), "list": (1, 2),
         "create": (2, 2), "delete": (1, 1)}


def valid(operation, args):
    return (operation in ARITY and isinstance(args, list)
            and all(isinstance(a, str) for a in args)
            and ARITY[operation][0] <= len(args) <= ARITY[operation][1])


def run(client, operation, args):
    """Performs one operation; returns the success object."""
    if operation == "get":
        return {"job": client.get(args[0])}
    if operation == "cancel":
        return client.cancel(args[0])
    if operation == "cancel-and-wait":
        return {"job": client.cancel_and_wait(args[0])}
    if operation == "list":
        return {"jobs": client.list(args[0], args[1] if len(args) > 1 else None)}
    if operation == "create":
        with open(args[1], "rb") as f:
            job = json.loads(f.read().decode("utf-8"))
        return {"job": client.create(args[0], job)}
    if operation == "delete":
        return {"operation": client.delete(args[0])}
    raise AssertionError(operation)


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def answer(new_client, operation, args):
    """Performs one operation with new_client() and prints its answer; the exit status."""
    try:
        result = run(new_client(), operation, args)
    except ApiError as e:
        error = {"status": e.status, "message": e.message}
        if e.details:
            error["details"] = e.details
        emit({"error": error})
        return 1
    except Exception:  # a crash, not an API error
        traceback.print_exc()
        return 3
    emit(result)
    return 0


def capabilities():
    return {"operations": list(ARITY), "transports": ["rest"]}


def persistent(client_class, lines):
    """PROTOCOL.md's persistent mode: a request per line, until the input ends."""
    for line in lines:
        try:
            request = json.loads(line)
        except ValueError:
            request = None
        if not isinstance(request, dict):
            print(f"not a JSON object: {line!r}", file=sys.stderr)
            return 2
        operation, args = request.get("operation"), request.get("args", [])
        if operation == "capabilities":
            emit(capabilities())
            continue
        if not valid(operation, args):
            print(f"{USAGE}\nrequest: {line!r}", file=sys.stderr)
            return 2
        start = time.monotonic()  # the deadline counts from the request's arrival
        status = answer(lambda: client_class(request.get("endpoint", ""), request.get("token", ""),
                                             request.get("deadlineMs"), start=start),
                        operation, args)
        if status == 3:
            return 3
    return 0


def main(argv=None, client_class=NasJobsClient):
    argv = sys.argv[1:] if argv is None else argv
    if argv == ["capabilities"]:
        emit(capabilities())
        return 0
    if argv == ["persistent"]:
        return persistent(client_class, sys.stdin)
    if not argv or not valid(argv[0], argv[1:]):
        print(USAGE, file=sys.stderr)
        return 2
    return answer(client_class.from_env, argv[0], argv[1:])


if __name__ == "__main__":
    sys.exit(main())
