#!/usr/bin/env python3
"""Mutant maps_404_to_unknown (one deliberate bug; overrides one NasJobsClient method).

Bug: error mapping ignores the body's status and the HTTP status: every API error is reported as
UNKNOWN (a generic 'request failed').

Caught by: not-found (UNKNOWN instead of NOT_FOUND); already-terminal (instead of
FAILED_PRECONDITION); permission-denied; unauthenticated.
"""
import os
import sys

sys.dont_write_bytecode = True  # keep the source tree free of __pycache__
sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)), "..", "python"))
import nasjobs_adapter as base  # noqa: E402


class Client(base.NasJobsClient):
    def map_http_error(self, status, headers, data):
        err = super().map_http_error(status, headers, data)
        return base.ApiError("UNKNOWN", f"request failed with HTTP {status}",
                             http_status=err.http_status, retry_after=err.retry_after)


if __name__ == "__main__":
    sys.exit(base.main(client_class=Client))
