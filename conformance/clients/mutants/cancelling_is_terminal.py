#!/usr/bin/env python3
"""Mutant cancelling_is_terminal (one deliberate bug; overrides one NasJobsClient method).

Bug: JOB_STATE_CANCELLING is treated as terminal (as Google's NAS CLI's is_nas_job_active does),
so cancel-and-wait stops at the first CANCELLING answer.

Caught by: cancel-succeeds / slow-cancellation (reports JOB_STATE_CANCELLING, no error.code 1;
one get after the cancel).
"""
import os
import sys

sys.dont_write_bytecode = True  # keep the source tree free of __pycache__
sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)), "..", "python"))
import nasjobs_adapter as base  # noqa: E402


class Client(base.NasJobsClient):
    def is_terminal(self, job):
        return super().is_terminal(job) or self.state_name(job) == "JOB_STATE_CANCELLING"


if __name__ == "__main__":
    sys.exit(base.main(client_class=Client))
