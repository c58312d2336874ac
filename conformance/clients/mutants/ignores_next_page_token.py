#!/usr/bin/env python3
"""Mutant ignores_next_page_token (one deliberate bug; overrides one NasJobsClient method).

Bug: list returns only the first page and ignores nextPageToken.

Caught by: list-many-pages (3 jobs printed instead of 10; one list request instead of 4).
"""
import os
import sys

sys.dont_write_bytecode = True  # keep the source tree free of __pycache__
sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)), "..", "python"))
import nasjobs_adapter as base  # noqa: E402


class Client(base.NasJobsClient):
    def list(self, parent, filter=None):
        page = self.call("GET", self.build_path(parent, "/nasJobs", [("filter", filter)]),
                         idempotent=True, what="list")
        return [self.decode_job(j) for j in page.get("nasJobs") or []]


if __name__ == "__main__":
    sys.exit(base.main(client_class=Client))
