#!/usr/bin/env python3
"""Mutant cancelled_right_after_cancel (one deliberate bug; overrides one NasJobsClient method).

Bug: cancel-and-wait treats a successful cancel call as a finished cancellation: it reads the
job once before cancelling, then reports it CANCELLED (optimistic local update) without polling.

Caught by: job-finishes-first (reports CANCELLED, the job really SUCCEEDED); cancel-succeeds /
slow-cancellation (no get follows the cancel in the journal).
"""
import os
import sys

sys.dont_write_bytecode = True  # keep the source tree free of __pycache__
sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)), "..", "python"))
import nasjobs_adapter as base  # noqa: E402


class Client(base.NasJobsClient):
    def cancel_and_wait(self, name):
        job = self.get(name)
        self.cancel(name)
        job["state"] = "JOB_STATE_CANCELLED"
        job["error"] = {"code": 1, "message": "CANCELED"}
        return job


if __name__ == "__main__":
    sys.exit(base.main(client_class=Client))
