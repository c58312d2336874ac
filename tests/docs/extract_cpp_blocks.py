#!/usr/bin/env python3
"""Docs-rot guard for C++: writes the ```cpp blocks of a Markdown file as one
C++ source file, so the build compiles them and CTest runs their tests.

    extract_cpp_blocks.py README.md OUT.cc PRELUDE_HEADER

OUT.cc includes PRELUDE_HEADER (what a reader brings: their own client class,
for instance), then every block in order, each under a #line directive naming
the Markdown file and line, so a compiler error points into the README.
OUT.cc is rewritten only when its text changes (no needless rebuilds).
"""
import re
import sys
from pathlib import Path

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})\s*(\S*)")


def cpp_blocks(path):
    """[(first line number, code)] for every ```cpp (or c++) block."""
    blocks, lines, i = [], Path(path).read_text(encoding="utf-8").splitlines(), 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        i += 1
        if not m:
            continue
        fence, language, start, body = m.group(1), m.group(2), i + 1, []
        while i < len(lines) and not (lines[i].strip().startswith(fence[0] * len(fence))
                                      and not lines[i].strip().strip(fence[0])):
            body.append(lines[i])
            i += 1
        i += 1
        if language in ("cpp", "c++"):
            blocks.append((start, "\n".join(body) + "\n"))
    return blocks


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    markdown, out, prelude = sys.argv[1:]
    text = f'// Generated from {Path(markdown).name} by {Path(__file__).name}: do not edit.\n'
    text += f'#include "{prelude}"\n'
    for line, code in cpp_blocks(markdown):
        text += f'#line {line} "{Path(markdown).name}"\n{code}'
    if not Path(out).exists() or Path(out).read_text(encoding="utf-8") != text:
        Path(out).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
