#!/usr/bin/env python3
"""Mutant polls_at_fixed_interval (one deliberate bug; overrides one NasJobsClient method).

Bug: polling (cancel-and-wait, delete) waits a fixed 200 ms between reads, forever: polite per
poll, but it never backs off however long the wait lasts.

Caught by: polling-backs-off (the gaps between polls do not grow, and 200 ms is under the 5 s
floor of Google's LRO polling defaults).
"""
import os
import sys

sys.dont_write_bytecode = True  # keep the source tree free of __pycache__
sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)), "..", "python"))
import nasjobs_adapter as base  # noqa: E402


class Client(base.NasJobsClient):
    def poll_delays(self):
        while True:
            yield 0.2


if __name__ == "__main__":
    sys.exit(base.main(client_class=Client))
