#!/usr/bin/env python3
"""Mutant double_encodes_name (one deliberate bug; overrides one NasJobsClient method).

Bug: the whole resource name is percent-encoded as one path segment ('projects%2F123%2F…'),
instead of keeping '/' (Discovery's {+name}).

Caught by: every case that reaches a job, e.g. get on cancel-succeeds: the URL matches no route,
the fake answers 404 and the adapter reports NOT_FOUND instead of the job.
"""
import os
import sys

sys.dont_write_bytecode = True  # keep the source tree free of __pycache__
sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)), "..", "python"))
import nasjobs_adapter as base  # noqa: E402


class Client(base.NasJobsClient):
    def quote_name(self, name):
        return base.urllib.parse.quote(name, safe="")


if __name__ == "__main__":
    sys.exit(base.main(client_class=Client))
