#!/usr/bin/env python3
"""Mutant polls_without_backoff (one deliberate bug; overrides one NasJobsClient method).

Bug: polling (cancel-and-wait, delete) re-reads in a tight loop with no sleep between reads.

Caught by: cancel-succeeds / slow-cancellation / delete-operation-slow (spacing between polls ~0
ms, below the runner's minimum gap).
"""
import os
import sys

sys.dont_write_bytecode = True  # keep the source tree free of __pycache__
sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)), "..", "python"))
import nasjobs_adapter as base  # noqa: E402


class Client(base.NasJobsClient):
    def poll_delays(self):
        while True:
            yield 0.0


if __name__ == "__main__":
    sys.exit(base.main(client_class=Client))
