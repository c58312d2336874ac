#!/usr/bin/env python3
"""Mutant misses_auth_header (one deliberate bug; overrides one NasJobsClient method).

Bug: the token is read from GOOGLE_OAUTH_ACCESS_TOKEN instead of the configured one, so no
Authorization header is sent when that variable is unset.

Caught by: any case: the journal shows requests without 'authorization: Bearer <NASFAKE_TOKEN>'
(a fake run with --require-auth answers 401 UNAUTHENTICATED).
"""
import os
import sys

sys.dont_write_bytecode = True  # keep the source tree free of __pycache__
sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)), "..", "python"))
import nasjobs_adapter as base  # noqa: E402


class Client(base.NasJobsClient):
    def auth_headers(self):
        token = os.environ.get("GOOGLE_OAUTH_ACCESS_TOKEN")
        return {"Authorization": f"Bearer {token}"} if token else {}


if __name__ == "__main__":
    sys.exit(base.main(client_class=Client))
