#!/usr/bin/env python3
"""Mutant polls_after_terminal (one deliberate bug; overrides one NasJobsClient method).

Bug: the wait loop reads the job again before checking the answer it already has, so after the
first terminal answer it sends one more get before stopping.

Caught by: cancel-succeeds / slow-cancellation / job-finishes-first ('stops at the first
terminal state': one get too many after the first CANCELLED/SUCCEEDED answer).
"""
import os
import sys

sys.dont_write_bytecode = True  # keep the source tree free of __pycache__
sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)), "..", "python"))
import nasjobs_adapter as base  # noqa: E402


class Client(base.NasJobsClient):
    def wait_until_terminal(self, name):
        delays = self.poll_delays()
        job = self.get(name)
        while True:
            self.sleep(next(delays))
            latest = self.get(name)  # (bug) reads again before looking at the answer it has
            if self.is_terminal(job):
                return job
            job = latest


if __name__ == "__main__":
    sys.exit(base.main(client_class=Client))
