#!/usr/bin/env python3
"""Checks that the library layers include only what their CMake targets may use.

The layers, lowest first (fake/CMakeLists.txt): a source file of a layer may
include project headers of its own layer and of the layers below it, never of
one above. CMake's target_link_libraries enforces the same order for symbols;
this test catches the include that would compile today and break the order.

Usage: check_layering.py SOURCE_DIR    (exit 0: clean; 1: violations listed)
"""
import pathlib
import re
import sys

# (layer, folders whose files belong to it), lowest first. A file belongs to
# the layer of the longest folder that contains it.
LAYERS = [
    ("core", ["fake"]),
    ("scenarios", ["scenarios"]),
    ("server", ["fake/server", "fake/grpc", "fake/tls"]),
    ("conformance", ["conformance"]),
]
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def layer_of(relative: str):
    """The index of the layer a path belongs to, or None (cli/, tests/, …)."""
    best, best_len = None, -1
    for index, (_, folders) in enumerate(LAYERS):
        for folder in folders:
            if (relative == folder or relative.startswith(folder + "/")) and len(folder) > best_len:
                best, best_len = index, len(folder)
    return best


def main() -> int:
    root = pathlib.Path(sys.argv[1])
    violations = []
    for path in sorted(root.glob("**/*")):
        if path.suffix not in (".h", ".cc") or not path.is_file():
            continue
        relative = path.relative_to(root).as_posix()
        if relative.startswith(("build", "tests/", "bench/", "cli/", "examples/")):
            continue
        own = layer_of(relative)
        if own is None:
            continue
        for included in INCLUDE.findall(path.read_text(errors="replace")):
            target = layer_of(included)
            if target is not None and target > own:
                violations.append(f"{relative} ({LAYERS[own][0]}) includes {included} "
                                  f"({LAYERS[target][0]}, a higher layer)")
    for line in violations:
        print(line)
    print(f"{len(violations)} layering violations")
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
