#!/usr/bin/env python3
"""Docs-rot guard: runs the runnable shell blocks of Markdown files.

A block is runnable when its fence's info string is `sh runnable` (or `bash
runnable`), optionally with `timeout=SECONDS`:

    ```sh runnable timeout=60
    nasfake --version
    ```

Other blocks (plain ```sh, ```cpp, …) are never run. Each runnable block runs
as `bash -euo pipefail -c BLOCK` in a fresh scratch directory, in its own
process group, with its output captured; when it ends (or times out), whatever
it left running (`nasfake serve &`) is killed. A block fails when it exits
non-zero or outlives its timeout (default --timeout, 120 s). Exit status: 0 when
every block passed (also when there are none), 1 otherwise, 2 for bad usage.

Blocks see NASFAKE_SOURCE_DIR (the checkout; default: this script's ../..),
and PATH with the directory of $NASFAKE_BINARY (the built `nasfake`) first, so
a block can say `nasfake serve` or `"$NASFAKE_SOURCE_DIR"/scripts/run`.

    run_readme_blocks.py README.md [more.md…]
    run_readme_blocks.py --list README.md     # show what would run
    run_readme_blocks.py --self-test          # check this script on scratch files
"""

import argparse
import os
import re
import select
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})(?P<info>.*)$")


def runnable_blocks(path):
    """[(line, timeout or None, code)] for every runnable block of the file."""
    blocks = []
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, words = m.group("fence"), m.group("info").split()
        start, body = i + 1, []
        i += 1
        while i < len(lines):
            close = FENCE.match(lines[i])
            if (close and close.group("fence")[0] == fence[0]
                    and len(close.group("fence")) >= len(fence) and not close.group("info").strip()):
                break
            body.append(lines[i])
            i += 1
        i += 1  # past the closing fence (or the end of the file)
        if words and words[0] in ("sh", "bash", "shell") and "runnable" in words[1:]:
            timeout = None
            for w in words[1:]:
                if w.startswith("timeout="):
                    timeout = float(w.split("=", 1)[1])
            blocks.append((start, timeout, "\n".join(body) + "\n"))
    return blocks


def group_pids(pgid):
    """The processes in process group `pgid` (from /proc/<pid>/stat)."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # state, ppid, pgrp, ...
            pids.append(int(entry))
    return pids


def kill_group(pgid, grace=2.0):
    """SIGTERM to the group; SIGKILL to what has not exited within `grace` s."""
    try:
        os.killpg(pgid, signal.SIGTERM)
    except ProcessLookupError:
        return
    pidfds = []
    for pid in group_pids(pgid):
        try:
            pidfds.append(os.pidfd_open(pid))
        except OSError:
            pass  # already gone
    deadline = time.monotonic() + grace
    while pidfds and time.monotonic() < deadline:
        exited, _, _ = select.select(pidfds, [], [], deadline - time.monotonic())
        for fd in exited:
            pidfds.remove(fd)
            os.close(fd)
    survivors = bool(pidfds)
    for fd in pidfds:
        os.close(fd)
    if survivors:
        try:
            os.killpg(pgid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def run_block(code, timeout, env):
    """(passed, exit status or 'timeout', output)."""
    with tempfile.TemporaryDirectory(prefix="nasfake-doc-") as scratch, \
            tempfile.TemporaryFile() as output:
        # Output to a file, not a pipe: a background process the block leaves
        # running must not keep us waiting for EOF.
        proc = subprocess.Popen(["bash", "-euo", "pipefail", "-c", code], cwd=scratch, env=env,
                                stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
                                start_new_session=True)
        try:
            status = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            status = "timeout"
        kill_group(proc.pid)
        proc.wait()
        output.seek(0)
        text = output.read().decode("utf-8", "replace")
    return status == 0, status, text


def run_files(paths, default_timeout, list_only=False):
    env = dict(os.environ)
    env.setdefault("NASFAKE_SOURCE_DIR", str(Path(__file__).resolve().parents[2]))
    if env.get("NASFAKE_BINARY"):
        env["PATH"] = str(Path(env["NASFAKE_BINARY"]).resolve().parent) + os.pathsep + env["PATH"]
    failures = total = 0
    for path in paths:
        for line, timeout, code in runnable_blocks(path):
            total += 1
            where = f"{path}:{line}"
            if list_only:
                print(f"--- {where}\n{code}", end="")
                continue
            started = time.monotonic()
            passed, status, output = run_block(code, timeout or default_timeout, env)
            took = time.monotonic() - started
            print(f"{'PASS' if passed else 'FAIL'} {where} ({took:.1f}s)", flush=True)
            if not passed:
                failures += 1
                what = "timed out" if status == "timeout" else f"exited {status}"
                print(f"  the block {what}:\n" + "".join(f"    | {l}\n" for l in code.splitlines())
                      + "  its output:\n" + "".join(f"    > {l}\n" for l in output.splitlines()))
    if not list_only:
        print(f"{total - failures} of {total} runnable blocks passed")
    return 1 if failures else 0


def self_test():
    """Runs this script on scratch Markdown files; returns 0 when it behaves."""
    cases = {
        "none.md": ("# no blocks\n```sh\nexit 1\n```\n```cpp runnable\nnot shell\n```\n", 0, 0),
        "pass.md": ("text\n```sh runnable\necho hi > f && grep -q hi f\n[ \"$(pwd)\" != /tmp ]\n```\n"
                    "~~~bash runnable\ntrue\n~~~\n", 0, 2),
        "fail.md": ("```sh runnable\ntrue\n```\n````sh runnable\necho '```'\nfalse\necho not reached\n````\n",
                    1, 2),
        "pipefail.md": ("```sh runnable\nfalse | cat\n```\n", 1, 1),
        "timeout.md": ("```sh runnable timeout=1\nsleep 30\n```\n", 1, 1),
        "background.md": ("```sh runnable timeout=5\n(exec -a nasfake-selftest-leftover sleep 300) &"
                          "\necho started\n```\n", 0, 1),
        # Ignores SIGTERM: killed after the grace period.
        "stubborn.md": ("```sh runnable timeout=5\n(trap '' TERM; touch trapped; "
                        "exec -a nasfake-selftest-leftover sleep 300) &\n"
                        "until [ -e trapped ]; do :; done\n```\n", 0, 1),
    }
    bad = 0
    with tempfile.TemporaryDirectory() as d:
        for name, (text, want_exit, want_blocks) in cases.items():
            path = Path(d) / name
            path.write_text(text)
            got_blocks = len(runnable_blocks(path))
            started = time.monotonic()
            got_exit = subprocess.run([sys.executable, __file__, str(path)], capture_output=True,
                                      text=True).returncode
            took = time.monotonic() - started
            ok = got_exit == want_exit and got_blocks == want_blocks and took < 10
            bad += not ok
            print(f"{'ok  ' if ok else 'BAD '} {name}: exit {got_exit} (want {want_exit}), "
                  f"{got_blocks} blocks (want {want_blocks}), {took:.1f}s")
    leftovers = [pid for pid in os.listdir("/proc") if pid.isdigit() and
                 read_cmdline(pid).startswith(b"nasfake-selftest-leftover")]
    if leftovers:
        bad += 1
        print(f"BAD  processes the blocks left are still running: {leftovers}")
    return 1 if bad else 0


def read_cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read()
    except OSError:
        return b""


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", help="Markdown files")
    parser.add_argument("--timeout", type=float, default=120, help="seconds per block (default 120)")
    parser.add_argument("--list", action="store_true", help="print the runnable blocks, run nothing")
    parser.add_argument("--self-test", action="store_true", help="test this script")
    args = parser.parse_args()
    if args.self_test:
        return self_test()
    if not args.files:
        parser.error("which Markdown files?")
    return run_files(args.files, args.timeout, args.list)


if __name__ == "__main__":
    sys.exit(main())
