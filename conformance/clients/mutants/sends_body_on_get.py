#!/usr/bin/env python3
"""Mutant sends_body_on_get (one deliberate bug; overrides one NasJobsClient method).

Bug: the transport always serialises a request body: GET and DELETE carry '{}' and Content-Type:
application/json.

Caught by: any get/list/delete case: the journal shows a non-empty body on a GET/DELETE.
"""
import os
import sys

sys.dont_write_bytecode = True  # keep the source tree free of __pycache__
sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)), "..", "python"))
import nasjobs_adapter as base  # noqa: E402


class Client(base.NasJobsClient):
    def encode_body(self, method, payload):
        return super().encode_body("POST", {} if payload is None else payload)


if __name__ == "__main__":
    sys.exit(base.main(client_class=Client))
