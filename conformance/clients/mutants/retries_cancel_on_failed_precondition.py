#!/usr/bin/env python3
"""Mutant retries_cancel_on_failed_precondition (one deliberate bug; overrides one NasJobsClient method).

Bug: cancel is retried (3 more times, 50 ms apart) on a 400, as if FAILED_PRECONDITION meant
'not ready yet'; cancel is not idempotent and a 4xx must never be retried.

Caught by: already-terminal (4 cancel requests in the journal instead of exactly 1).
"""
import os
import sys

sys.dont_write_bytecode = True  # keep the source tree free of __pycache__
sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)), "..", "python"))
import nasjobs_adapter as base  # noqa: E402


class Client(base.NasJobsClient):
    def cancel(self, name):
        for attempt in range(4):
            try:
                return super().cancel(name)
            except base.ApiError as err:
                if err.http_status != 400 or attempt == 3:
                    raise
                self.sleep(0.05)


if __name__ == "__main__":
    sys.exit(base.main(client_class=Client))
