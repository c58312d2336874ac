#!/usr/bin/env bash
# `nasfake --help`, `nasfake <command> --help` and `--version` everywhere:
# exit 0, complete usage text, one version that matches the project's.
#   help_version_test.sh NASFAKE_BINARY EXPECTED_VERSION
set -euo pipefail
nasfake="$1" want="nasfake $2"
fail() { echo "FAIL: $*" >&2; exit 1; }

out="$("$nasfake" --help)" || fail "nasfake --help exited $?"
for c in serve conformance record replay scenario version --version --help; do
  grep -q -- "$c" <<<"$out" || fail "nasfake --help does not mention $c"
done
for v in "--version" "version"; do
  [ "$("$nasfake" $v)" = "$want" ] || fail "nasfake $v: '$("$nasfake" $v)', want '$want'"
done
for c in serve conformance record replay scenario; do
  out="$("$nasfake" $c --help)" || fail "nasfake $c --help exited $?"
  grep -q "^Usage: nasfake $c" <<<"$out" || fail "nasfake $c --help: no usage line"
  grep -q -- "--help" <<<"$out" || fail "nasfake $c --help does not list --help"
  grep -q -- "--version" <<<"$out" || fail "nasfake $c --help does not list --version"
  grep -q "Exit status" <<<"$out" || fail "nasfake $c --help does not give the exit status"
  [ "$("$nasfake" $c --version)" = "$want" ] || fail "nasfake $c --version"
  set +e; "$nasfake" $c --no-such-flag >/dev/null 2>&1; rc=$?; set -e
  [ $rc -eq 2 ] || fail "nasfake $c --no-such-flag exited $rc, want 2"
done
set +e; "$nasfake" >/dev/null 2>&1; rc=$?; "$nasfake" nope >/dev/null 2>&1; rc2=$?; set -e
[ $rc -eq 2 ] && [ $rc2 -eq 2 ] || fail "nasfake without/with an unknown command exited $rc/$rc2, want 2"
echo "ok: help and version of nasfake and its 5 commands"
