#!/usr/bin/env python3
"""Runs the README's GitHub Actions step that serves the fake, as a runner would.

The step ("Serve the fake for the library's own tests", in the ```yaml block)
must publish NASFAKE_ENDPOINT when nasfake serves, and fail promptly, never
hang the job, when nasfake exits at once or never prints its endpoint. Each
run is a scratch checkout layout (nasfake/build/cli/nasfake, the seed
fixtures) with GITHUB_ENV set, run by run_readme_blocks.run_block (bash -e,
its own process group, whatever it leaves running killed).

    run_readme_ci_step.py README.md     (NASFAKE_BINARY: the built nasfake)
Exit status 0 when the step behaves in every case, 1 otherwise.
"""
import os
import re
import sys
import textwrap
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run_readme_blocks import run_block  # noqa: E402

STEP = "Serve the fake for the library's own tests"


def step_script(readme):
    """The `run: |` script of the step named STEP in the README's yaml blocks."""
    lines = Path(readme).read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if line.strip() == f"- name: {STEP}":
            run = lines[i + 1]
            assert run.strip() == "run: |", f"the step's next line is not 'run: |': {run!r}"
            indent = len(run) - len(run.lstrip()) + 1
            body = []
            for next_line in lines[i + 2:]:
                if next_line.strip() and len(next_line) - len(next_line.lstrip()) < indent:
                    break
                body.append(next_line)
            return textwrap.dedent("\n".join(body)) + "\n"
    raise SystemExit(f"{readme}: no step named {STEP!r}")


def main():
    readme = sys.argv[1]
    binary = os.environ["NASFAKE_BINARY"]
    source = os.environ.get("NASFAKE_SOURCE_DIR", str(Path(__file__).resolve().parents[2]))
    setup = textwrap.dedent(f"""\
        mkdir -p nasfake/build/cli nasfake/fixtures
        ln -s '{source}/fixtures/seed' nasfake/fixtures/seed
        export GITHUB_ENV="$PWD/github.env"
        """)
    check = "grep -qx 'NASFAKE_ENDPOINT=http://127.0.0.1:[0-9]*' \"$GITHUB_ENV\"\n"
    cases = [
        # (what, how nasfake is provided, whether the step must pass)
        ("nasfake serves", f"ln -s '{binary}' nasfake/build/cli/nasfake\n", True),
        ("nasfake exits at once",
         "printf '#!/bin/sh\\necho boom >&2\\nexit 3\\n' > nasfake/build/cli/nasfake\n"
         "chmod +x nasfake/build/cli/nasfake\n", False),
        ("nasfake never prints its endpoint",
         "printf '#!/bin/sh\\nexec sleep 300\\n' > nasfake/build/cli/nasfake\n"
         "chmod +x nasfake/build/cli/nasfake\n", False),
    ]
    script = step_script(readme)
    bad = 0
    for what, provide, must_pass in cases:
        code = setup + provide + "(\n" + script + ")\n" + check
        started = time.monotonic()
        passed, status, output = run_block(code, 30, dict(os.environ))
        took = time.monotonic() - started
        ok = passed == must_pass and status != "timeout"
        bad += not ok
        print(f"{'ok  ' if ok else 'BAD '} {what}: the step {'passed' if passed else 'failed'} "
              f"(want {'pass' if must_pass else 'a prompt failure'}), exit {status}, {took:.1f}s")
        if not ok:
            print("".join(f"    > {l}\n" for l in output.splitlines()))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
