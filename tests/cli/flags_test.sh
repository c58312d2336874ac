#!/usr/bin/env bash
# How every nasfake command reads its arguments and words its errors: both
# flag spellings, stray arguments, values echoed with the accepted form, what
# a failed bind was, one file-error wording, repeated --cases, and
# `nasfake scenario check|explain`.
#   flags_test.sh NASFAKE_BINARY SOURCE_DIR
set -euo pipefail
nasfake="$1" source="$2"
library="$source/scenarios/library"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
cd "$scratch"
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# expect EXIT TEXT COMMAND…: COMMAND exits EXIT and its stderr holds TEXT.
expect() {
  local want="$1" text="$2"
  shift 2
  set +e
  "$nasfake" "$@" > out.txt 2> err.txt < /dev/null
  local rc=$?
  set -e
  [ "$rc" -eq "$want" ] || fail "nasfake $*: exit $rc, want $want; stderr: $(cat err.txt)"
  [ -z "$text" ] || grep -qF -- "$text" err.txt || fail "nasfake $*: stderr lacks '$text': $(cat err.txt)"
}

# first_line_like FILE PATTERN: reads FILE (a FIFO) until a line matches the
# extended regex PATTERN, each read bounded by 10 s (no polling); prints that
# line, or fails with status 1 at a timeout or end of file.
first_line_like() {
  local line
  while IFS= read -r -t 10 line; do
    [[ $line =~ $2 ]] && { printf '%s\n' "$line"; return 0; }
  done < "$1"
  return 1
}

# serves COMMAND…: COMMAND prints its endpoint within 10 s, then stops on SIGTERM.
serves() {
  rm -f endpoint.fifo && mkfifo endpoint.fifo
  "$nasfake" "$@" > endpoint.fifo 2> serve.log &
  local server=$!
  first_line_like endpoint.fifo '^NASFAKE_ENDPOINT=' > /dev/null ||
    fail "nasfake $*: no endpoint: $(cat serve.log)"
  kill $server 2> /dev/null || true
  wait $server || true
}

# --flag=value and --flag value alike, for every command.
serves serve --port=0 --clock=virtual --queued-for=2s --log=text
serves serve --port 0 --clock virtual
serves record --upstream=http://127.0.0.1:9 --out="$scratch/t.json" --port=0
echo '{"nasfakeTranscript": 1, "exchanges": []}' > empty.json
serves replay empty.json --port=0
expect 2 "--port: expected a number from 0 (any free port) to 65535, got \"abc\"" serve --port=abc
expect 2 "--port: expected a number from 0 (any free port) to 65535, got \"abc\"" record --port abc
expect 2 "--clock: expected real or virtual, got \"wall\"" serve --clock=wall
expect 2 "--jobs: expected a number from 1 to 64, got \"0\"" conformance --jobs=0
expect 2 "--transport: expected rest, grpc or both, got \"http\"" conformance --transport=http
expect 2 "--no-grpc takes no value" serve --no-grpc=yes
expect 2 "--port needs a value" serve --port
expect 2 "unknown flag '--prot'" serve --prot=80

# A stray argument is not an unknown flag.
expect 2 "unexpected argument 'extra' (nasfake serve takes no arguments, only flags)" serve extra
expect 2 "unexpected argument 'extra' (nasfake conformance takes no arguments" conformance extra
expect 2 "unexpected argument 'b.json' (nasfake replay takes at most 1 TRANSCRIPT)" \
  replay empty.json b.json
expect 2 "which TRANSCRIPT?" replay

# Durations echo the value and the accepted form.
for flag in --queued-for --pending-for --running-for --cancelling-for; do
  expect 2 "$flag: expected a duration >= 0s such as \"0.5s\" or \"3600s\", got \"2m\"" \
    serve "$flag" 2m
done

# A failed bind says what failed, and advises --port 0 only when a port was asked for.
expect 3 "the address is not one of this machine's; --host takes a local address" \
  serve --host 192.0.2.1
grep -qF -- "--port 0" err.txt && fail "a bad --host advises --port 0: $(cat err.txt)"
expect 3 "\"no.such.host.invalid\" is not an IP address or a known host name" \
  replay empty.json --host no.such.host.invalid
rm -f busy.fifo && mkfifo busy.fifo
python3 -c 'import signal, socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen();
print(s.getsockname()[1], flush=True); signal.pause()' > busy.fifo &
holder=$!
busy="$(first_line_like busy.fifo '^[0-9]+$')" || fail "the port holder printed no port"
expect 3 "cannot listen on 127.0.0.1:$busy: Address already in use: the port is in use; pass --port 0" \
  serve --port "$busy"
expect 3 "Address already in use: the port is in use; pass --grpc-port 0" serve --grpc-port "$busy"
kill $holder

# One file-error wording: the user's path, then the OS's reason.
missing="$scratch/no/such.json"
expect 3 "$missing: cannot read: No such file or directory" serve --seed "$missing"
expect 3 "$missing: cannot read: No such file or directory" serve --scenario "$missing"
expect 3 "$missing: cannot read: No such file or directory" replay "$missing"
expect 3 "$missing: cannot read: No such file or directory" scenario check "$missing"
expect 3 "$scratch: cannot read: Is a directory" replay "$scratch"
expect 3 "$missing: cannot write: No such file or directory" \
  record --upstream http://127.0.0.1:9 --out "$missing"
grep -qF ".tmp" err.txt && fail "record names its temporary file: $(cat err.txt)"
expect 3 "$missing: cannot write: No such file or directory" \
  conformance --cases get-running --junit "$missing"

# --cases repeats and takes comma lists; counts are singular or plural.
expect 0 "2 cases from" conformance --cases get-running --cases cancel-succeeds --format json
cases() { python3 -c 'import json, sys; print(len(json.load(sys.stdin)["cases"]))' < out.txt; }
[ "$(cases)" -eq 2 ] || fail "--cases twice: $(cat out.txt)"
expect 0 "2 cases from" conformance --cases=get-running,cancel-succeeds --format json
[ "$(cases)" -eq 2 ] || fail "--cases a,b: $(cat out.txt)"
expect 0 "1 case from" conformance --cases get-running
expect 2 "no case matches 'nope', 'nada'" conformance --cases nope,nada

# nasfake scenario check and explain.
expect 0 "" scenario check "$library/slow-cancellation.json" "$library/not-found.json"
grep -qF "$library/slow-cancellation.json: valid scenario \"slow-cancellation\" (0 rules)" out.txt ||
  fail "scenario check: $(cat out.txt)"
printf '{"name": "x", "rules": [],}' > trailing-comma.json
expect 3 "trailing-comma.json: (json): Invalid JSON payload received. Expected an object key." \
  scenario check trailing-comma.json
printf '{"name": "x", "jobLifecycles": {"projects/1/locations/l/nasJobs/1": {}}}' > unseeded.json
expect 3 "unseeded.json: scenario \"x\": jobLifecycles: no job" scenario check unseeded.json
expect 0 "" scenario explain "$library/slow-cancellation.json" "$library/transient-unavailable.json"
grep -qF "then CANCELLED at the 11th read of the job after the cancel" out.txt ||
  fail "scenario explain: no cancellation: $(cat out.txt)"
grep -qF "1. first-get-unavailable: nasJobs.get requests: the first gets an answer 503 UNAVAILABLE" \
  out.txt || fail "scenario explain: no rule: $(cat out.txt)"
expect 2 "check or explain?" scenario
expect 2 "unknown subcommand 'lint' (check or explain)" scenario lint x.json
expect 2 "which FILE?" scenario check

[ $failures -eq 0 ] || { echo "$failures failures" >&2; exit 1; }
echo "ok: flags, arguments and errors of every command"
