#!/usr/bin/env python3
"""Mutant no_deadline (one deliberate bug; overrides one NasJobsClient method).

Bug: ignores NASFAKE_DEADLINE_MS: uses a fixed 60 s budget for socket waits and polling, so a
stalled answer holds the adapter far past its deadline (bounded at 60 s so nothing hangs).

Caught by: stalled-response (the adapter does not return by NASFAKE_DEADLINE_MS; ~30-60 s later
it reports UNAVAILABLE or DEADLINE_EXCEEDED).
"""
import os
import sys

sys.dont_write_bytecode = True  # keep the source tree free of __pycache__
sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)), "..", "python"))
import nasjobs_adapter as base  # noqa: E402


class Client(base.NasJobsClient):
    def remaining(self):
        left = base._PROCESS_START + 60.0 - base.time.monotonic()
        if left <= 0:
            raise base.ApiError("DEADLINE_EXCEEDED", "60 s passed")
        return left


if __name__ == "__main__":
    sys.exit(base.main(client_class=Client))
