#!/usr/bin/env python3
"""Mutant send_body_on_cancel (one deliberate bug; overrides one NasJobsClient method).

Bug: the cancel body is the whole CancelNasJobRequest, {"name": NAME}, although `name` is bound
to the URL path (a hand-written transcoder that forgets to drop path fields).

Caught by: non-empty-body-rejected (the fake answers 400 INVALID_ARGUMENT 'Unknown name "name"';
the adapter exits 1 instead of printing {}); cancel-succeeds (cancel body is not {} / empty).
"""
import os
import sys

sys.dont_write_bytecode = True  # keep the source tree free of __pycache__
sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)), "..", "python"))
import nasjobs_adapter as base  # noqa: E402
import json  # noqa: E402


class Client(base.NasJobsClient):
    def cancel_request_body(self, name):
        return json.dumps({"name": name}).encode("utf-8")


if __name__ == "__main__":
    sys.exit(base.main(client_class=Client))
