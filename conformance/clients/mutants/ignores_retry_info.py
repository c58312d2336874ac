#!/usr/bin/env python3
"""Mutant ignores_retry_info (one deliberate bug; overrides one NasJobsClient method).

Bug: retries use only the exponential backoff and ignore google.rpc.RetryInfo.retryDelay and
Retry-After.

Caught by: rate-limited (RECOMMENDED): the retry comes ~50 ms after the 429 instead of >= 2 s.
"""
import os
import sys

sys.dont_write_bytecode = True  # keep the source tree free of __pycache__
sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)), "..", "python"))
import nasjobs_adapter as base  # noqa: E402


class Client(base.NasJobsClient):
    def retry_wait(self, err, backoff):
        return backoff


if __name__ == "__main__":
    sys.exit(base.main(client_class=Client))
