#!/usr/bin/env python3
"""Mutant crashes_on_unknown_field (one deliberate bug; overrides one NasJobsClient method).

Bug: strict decoding: a NasJob key outside the fields it was written against raises KeyError, so
the adapter crashes (exit 3, traceback) instead of ignoring new fields.

Caught by: any case whose job carries a field unknown to it (e.g. satisfiesPzi or a future field
in a scripted answer): exit 3 instead of 0.
"""
import os
import sys

sys.dont_write_bytecode = True  # keep the source tree free of __pycache__
sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)), "..", "python"))
import nasjobs_adapter as base  # noqa: E402


class Client(base.NasJobsClient):
    KNOWN_FIELDS = frozenset({
        "name", "displayName", "nasJobSpec", "nasJobOutput", "state", "createTime", "startTime",
        "endTime", "updateTime", "error", "labels", "encryptionSpec",
        "enableRestrictedImageTraining",
    })

    def decode_job(self, obj):
        for key in obj:
            if key not in self.KNOWN_FIELDS:
                raise KeyError(f"unknown NasJob field {key!r}")
        return super().decode_job(obj)


if __name__ == "__main__":
    sys.exit(base.main(client_class=Client))
