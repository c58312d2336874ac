#!/usr/bin/env python3
"""Tests of nasjobs_adapter.py (and of the mutants) against a real `nasfake serve`.

Standard library only. Run:  python3 conformance/clients/python/test_adapter.py
The fake's binary: $NASFAKE_BINARY, default /work/main/build/cli/nasfake.

AdapterTest checks the adapter against library scenarios; MutantsTest checks that each
deliberately wrong client in ../mutants/ is visibly wrong on the case meant to catch it.
"""
import datetime
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.realpath(__file__))
REPO = os.path.realpath(os.path.join(HERE, "..", "..", ".."))
ADAPTER = os.path.join(HERE, "nasjobs_adapter.py")
MUTANTS = os.path.join(HERE, "..", "mutants")
SCENARIOS = os.path.join(REPO, "scenarios", "library")
BINARY = os.environ.get("NASFAKE_BINARY", "/work/main/build/cli/nasfake")

PARENT = "projects/123456789012/locations/us-central1"
NAME = PARENT + "/nasJobs/2111217356469436416"
TOKEN = "test-token-123"


class FakeServer:
    """`nasfake serve --port 0` as a subprocess, scripted through its control API."""

    def __init__(self, binary=BINARY):
        self.stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen([binary, "serve", "--port", "0"], stdout=subprocess.PIPE,
                                     stderr=self.stderr, stdin=subprocess.DEVNULL)
        line = self._first_line(timeout=10)
        if not line.startswith("NASFAKE_ENDPOINT="):
            self.stop()
            raise RuntimeError(f"nasfake serve printed {line!r} first")
        self.endpoint = line.split("=", 1)[1].strip()
        threading.Thread(target=self._drain, daemon=True).start()

    def _first_line(self, timeout):
        box = []
        t = threading.Thread(target=lambda: box.append(self.proc.stdout.readline()), daemon=True)
        t.start()
        t.join(timeout)
        if not box:
            self.stop()
            raise RuntimeError("nasfake serve printed nothing")
        return box[0].decode("utf-8", "replace")

    def _drain(self):
        for _ in self.proc.stdout:
            pass

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.stderr.close()

    # control API
    def control(self, method, path, doc=None):
        data = None if doc is None else json.dumps(doc, separators=(",", ":")).encode()
        req = urllib.request.Request(self.endpoint + "/__nasfake/v1/" + path, data=data,
                                     method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=10) as resp:
            return json.loads(resp.read() or b"{}")

    def reset(self):
        return self.control("POST", "reset", {})

    def scenario(self, doc):
        """Applies a scenario document (its seed is sent separately if the body is too big)."""
        if isinstance(doc, str):
            with open(os.path.join(SCENARIOS, doc + ".json"), encoding="utf-8") as f:
                doc = json.load(f)
        try:
            return self.control("POST", "scenario", doc)
        except urllib.error.HTTPError as e:
            if e.code != 413:
                raise
        jobs = (doc.get("seed") or {}).get("nasJobs") or []
        result = self.control("POST", "scenario", dict(doc, seed={"nasJobs": []}))
        for i in range(0, len(jobs), 3):
            self.control("POST", "seed", {"nasJobs": jobs[i:i + 3]})
        return result

    def journal(self):
        return self.control("GET", "journal")["entries"]


def run_adapter(server, *args, deadline_ms=10000, program=ADAPTER, timeout=30):
    """Runs an adapter; returns (exit status, printed JSON or None, stderr, seconds)."""
    env = dict(os.environ, NASFAKE_ENDPOINT=server.endpoint, NASFAKE_TOKEN=TOKEN,
               NASFAKE_DEADLINE_MS=str(deadline_ms))
    start = time.monotonic()
    proc = subprocess.run([sys.executable, program, *args], env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, timeout=timeout)
    took = time.monotonic() - start
    out = proc.stdout.decode("utf-8", "replace").strip()
    try:
        doc = json.loads(out)
    except ValueError:
        doc = None
    return proc.returncode, doc, proc.stderr.decode("utf-8", "replace"), took


def entries(journal, operation=None, method=None):
    return [e for e in journal
            if (operation is None or e.get("operation") == operation)
            and (method is None or e.get("method") == method)]


def real_time(entry):
    return datetime.datetime.fromisoformat(entry["realTime"].replace("Z", "+00:00")).timestamp()


def gaps(items):
    times = [real_time(e) for e in items]
    return [b - a for a, b in zip(times, times[1:])]


def unknown_field_scenario():
    body = json.dumps({"name": NAME, "displayName": "x", "state": 3, "satisfiesPzi": True,
                       "someFutureField": {"nested": [1, 2]}})
    return {"name": "unknown-field", "seed": {"nasJobs": []},
            "rules": [{"id": "extra", "match": {"operation": "nasJobs.get"},
                       "action": {"answer": {"status": 200, "body": body}}}]}


class ServerTestCase(unittest.TestCase):
    server = None

    @classmethod
    def setUpClass(cls):
        if not os.path.exists(BINARY):
            raise unittest.SkipTest(f"no nasfake binary at {BINARY} (set NASFAKE_BINARY)")
        cls.server = FakeServer()

    @classmethod
    def tearDownClass(cls):
        if cls.server is not None:
            cls.server.stop()

    def setUp(self):
        self.server.reset()

    def run_case(self, scenario, *args, **kw):
        self.server.scenario(scenario)
        return run_adapter(self.server, *args, **kw)

    def assertApiError(self, result, status):
        rc, doc, err, _ = result
        self.assertEqual(rc, 1, err)
        self.assertEqual(set(doc), {"error"})
        self.assertEqual(doc["error"]["status"], status, doc)
        self.assertIsInstance(doc["error"]["message"], str)


class AdapterTest(ServerTestCase):

    def test_get_happy_path(self):
        rc, doc, err, _ = self.run_case("cancel-succeeds", "get", NAME)
        self.assertEqual(rc, 0, err)
        self.assertEqual(doc["job"]["name"], NAME)
        self.assertEqual(doc["job"]["state"], "JOB_STATE_RUNNING")
        (get,) = self.server.journal()
        self.assertEqual(get["method"], "GET")
        self.assertEqual(get["target"], "/v1/" + NAME)
        self.assertEqual(get["body"], "")
        self.assertEqual(get["headers"].get("authorization"), "Bearer " + TOKEN)
        self.assertNotIn("content-type", get["headers"])
        self.assertIn(get["headers"].get("content-length", "0"), ("0",))

    def test_cancel_and_wait_cancel_succeeds(self):
        rc, doc, err, _ = self.run_case("cancel-succeeds", "cancel-and-wait", NAME)
        self.assertEqual(rc, 0, err)
        self.assertEqual(doc["job"]["state"], "JOB_STATE_CANCELLED")
        self.assertEqual(doc["job"]["error"]["code"], 1)
        journal = self.server.journal()
        cancels = entries(journal, "nasJobs.cancel")
        self.assertEqual(len(cancels), 1)
        self.assertEqual(cancels[0]["body"], "{}")
        self.assertEqual(cancels[0]["headers"].get("content-type"), "application/json")
        self.assertEqual(journal[0]["operation"], "nasJobs.cancel")
        gets = entries(journal, "nasJobs.get")
        self.assertEqual(len(gets), 3)  # CANCELLING, CANCELLING, CANCELLED: stop at the first terminal
        self.assertTrue(all(g >= 0.015 for g in gaps(gets)), gaps(gets))

    def test_cancel_only(self):
        rc, doc, err, _ = self.run_case("cancel-succeeds", "cancel", NAME)
        self.assertEqual((rc, doc), (0, {}), err)
        self.assertEqual(len(self.server.journal()), 1)

    def test_slow_cancellation_backs_off(self):
        rc, doc, err, _ = self.run_case("slow-cancellation", "cancel-and-wait", NAME)
        self.assertEqual(rc, 0, err)
        self.assertEqual(doc["job"]["state"], "JOB_STATE_CANCELLED")
        journal = self.server.journal()
        self.assertEqual(len(entries(journal, "nasJobs.cancel")), 1)
        g = gaps(entries(journal, "nasJobs.get"))
        self.assertEqual(len(g), 10)
        self.assertGreater(g[-1], g[0])
        self.assertLess(max(g), 0.4)

    def test_job_finishes_first(self):
        rc, doc, err, _ = self.run_case("job-finishes-first", "cancel-and-wait", NAME)
        self.assertEqual(rc, 0, err)
        self.assertEqual(doc["job"]["state"], "JOB_STATE_SUCCEEDED")
        self.assertEqual(len(entries(self.server.journal(), "nasJobs.cancel")), 1)

    def test_not_found(self):
        for op in ("get", "cancel", "cancel-and-wait", "delete"):
            with self.subTest(op=op):
                self.server.reset()
                self.assertApiError(self.run_case("not-found", op, NAME), "NOT_FOUND")
                self.assertEqual(len(self.server.journal()), 1)  # no retry

    def test_already_terminal(self):
        for op in ("cancel", "cancel-and-wait"):
            with self.subTest(op=op):
                self.server.reset()
                self.assertApiError(self.run_case("already-terminal", op, NAME),
                                    "FAILED_PRECONDITION")
                self.assertEqual(len(entries(self.server.journal(), "nasJobs.cancel")), 1)

    def test_permission_denied_and_unauthenticated_not_retried(self):
        for scenario, status in (("permission-denied", "PERMISSION_DENIED"),
                                 ("unauthenticated", "UNAUTHENTICATED")):
            with self.subTest(scenario=scenario):
                self.server.reset()
                self.assertApiError(self.run_case(scenario, "get", NAME), status)
                self.assertEqual(len(self.server.journal()), 1)

    def test_list_many_pages(self):
        rc, doc, err, _ = self.run_case("list-many-pages", "list", PARENT)
        self.assertEqual(rc, 0, err)
        names = [j["name"] for j in doc["jobs"]]
        self.assertEqual(len(names), 10)
        self.assertEqual(len(set(names)), 10)
        lists = self.server.journal()
        self.assertEqual(len(lists), 4)
        self.assertNotIn("pageToken", lists[0]["target"])
        self.assertTrue(all("pageToken=" in e["target"] for e in lists[1:]))

    def test_list_filter_encoding(self):
        flt = 'state="JOB_STATE_RUNNING" AND display_name:"list-job-*"'
        rc, doc, err, _ = self.run_case("list-many-pages", "list", PARENT, flt)
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(doc["jobs"]), 5)
        self.assertTrue(all(j["state"] == "JOB_STATE_RUNNING" for j in doc["jobs"]))
        target = self.server.journal()[0]["target"]
        self.assertIn("filter=state%3D%22JOB_STATE_RUNNING%22%20AND%20display_name%3A%22list-job-%2A%22",
                      target)

    def test_transient_unavailable_is_retried(self):
        rc, doc, err, _ = self.run_case("transient-unavailable", "get", NAME)
        self.assertEqual(rc, 0, err)
        self.assertEqual(doc["job"]["name"], NAME)
        gets = self.server.journal()
        self.assertEqual([e["status"] for e in gets], [503, 200])
        self.assertGreaterEqual(gaps(gets)[0], 0.04)

    def test_connection_reset_is_retried(self):
        rc, doc, err, _ = self.run_case("connection-reset-on-get", "get", NAME)
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(self.server.journal()), 2)

    def test_html_error_page_is_retried(self):
        rc, doc, err, _ = self.run_case("html-error-page", "get", NAME)
        self.assertEqual(rc, 0, err)
        self.assertEqual([e["status"] for e in self.server.journal()], [502, 200])

    def test_malformed_response(self):
        self.assertApiError(self.run_case("malformed-response", "get", NAME), "UNKNOWN")
        self.assertEqual(len(self.server.journal()), 1)

    def test_rate_limited_honours_retry_info(self):
        rc, doc, err, _ = self.run_case("rate-limited", "get", NAME)
        self.assertEqual(rc, 0, err)
        gets = self.server.journal()
        self.assertEqual([e["status"] for e in gets], [429, 200])
        self.assertGreaterEqual(gaps(gets)[0], 1.95)

    def test_rate_limited_with_short_deadline(self):
        rc, doc, err, took = self.run_case("rate-limited", "get", NAME, deadline_ms=1000)
        self.assertApiError((rc, doc, err, took), "RESOURCE_EXHAUSTED")
        self.assertLess(took, 1.0)

    def test_stalled_response_deadline(self):
        result = self.run_case("stalled-response", "get", NAME, deadline_ms=300)
        self.assertApiError(result, "DEADLINE_EXCEEDED")
        self.assertLess(result[3], 3.0)

    def test_stalled_cancel_and_wait_deadline(self):
        result = self.run_case("stalled-response", "cancel-and-wait", NAME, deadline_ms=800)
        self.assertApiError(result, "DEADLINE_EXCEEDED")
        self.assertLess(result[3], 3.0)
        self.assertEqual(len(entries(self.server.journal(), "nasJobs.cancel")), 1)

    def test_delete_operation_slow(self):
        rc, doc, err, _ = self.run_case("delete-operation-slow", "delete", NAME)
        self.assertEqual(rc, 0, err)
        self.assertTrue(doc["operation"]["done"])
        journal = self.server.journal()
        self.assertEqual(journal[0]["method"], "DELETE")
        self.assertEqual(journal[0]["body"], "")
        self.assertNotIn("content-type", journal[0]["headers"])
        self.assertIn(journal[0]["headers"].get("content-length", "0"), ("0",))
        polls = journal[1:]
        self.assertEqual(len(polls), 3)
        self.assertTrue(all(e["method"] == "GET" and "/operations/" in e["target"] for e in polls))

    def test_unknown_fields_and_integer_state(self):
        rc, doc, err, _ = self.run_case(unknown_field_scenario(), "get", NAME)
        self.assertEqual(rc, 0, err)
        self.assertEqual(doc["job"]["state"], "JOB_STATE_RUNNING")
        self.assertEqual(doc["job"]["someFutureField"], {"nested": [1, 2]})

    def test_create(self):
        self.server.reset()
        with open(os.path.join(SCENARIOS, "cancel-succeeds.json"), encoding="utf-8") as f:
            job = json.load(f)["seed"]["nasJobs"][0]
        for key in ("name", "state", "createTime", "startTime", "updateTime"):
            job.pop(key)
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(job, f)
        try:
            rc, doc, err, _ = run_adapter(self.server, "create", PARENT, f.name)
        finally:
            os.unlink(f.name)
        self.assertEqual(rc, 0, err)
        self.assertTrue(doc["job"]["name"].startswith(PARENT + "/nasJobs/"))
        (create,) = self.server.journal()
        self.assertEqual(create["method"], "POST")
        self.assertEqual(json.loads(create["body"]), job)

    def test_usage_error(self):
        rc, doc, err, _ = run_adapter(self.server, "frobnicate")
        self.assertEqual(rc, 2)
        self.assertIsNone(doc)

    def test_capabilities_declares_every_operation_over_rest(self):
        rc, doc, err, _ = run_adapter(self.server, "capabilities")
        self.assertEqual(rc, 0, err)
        self.assertEqual(set(doc["operations"]),
                         {"get", "cancel", "cancel-and-wait", "list", "create", "delete"})
        self.assertEqual(doc["transports"], ["rest"])

    def test_error_details_are_reported(self):
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump({"nasJobSpec": {"searchSpaceSpec": "mnasnet"}}, f)
        try:
            rc, doc, err, _ = run_adapter(self.server, "create", PARENT, f.name)
        finally:
            os.unlink(f.name)
        self.assertEqual(rc, 1, err)
        self.assertEqual(doc["error"]["status"], "INVALID_ARGUMENT")
        detail = doc["error"]["details"][0]
        self.assertEqual(detail["@type"], "type.googleapis.com/google.rpc.BadRequest")
        self.assertEqual(detail["fieldViolations"][0]["field"], "nas_job.display_name")

    def test_persistent_answers_one_request_per_line_until_eof(self):
        self.server.scenario("cancel-succeeds")
        proc = subprocess.Popen([sys.executable, ADAPTER, "persistent"], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.addCleanup(proc.stderr.close)
        self.addCleanup(proc.stdout.close)
        self.addCleanup(lambda: proc.poll() is None and proc.kill())

        def ask(request):
            proc.stdin.write((json.dumps(request) + "\n").encode())
            proc.stdin.flush()
            ready, _, _ = select.select([proc.stdout], [], [], 30)
            self.assertTrue(ready, "no answer within 30 s")
            return json.loads(proc.stdout.readline())

        env = {"endpoint": self.server.endpoint, "token": TOKEN, "deadlineMs": 10000}
        self.assertIn("delete", ask({"operation": "capabilities"})["operations"])
        self.assertEqual(ask(dict(env, operation="get", args=[NAME]))["job"]["state"],
                         "JOB_STATE_RUNNING")
        self.assertEqual(ask(dict(env, operation="cancel-and-wait", args=[NAME]))["job"]["state"],
                         "JOB_STATE_CANCELLED")
        missing = ask(dict(env, operation="get", args=[PARENT + "/nasJobs/404"]))
        self.assertEqual(missing["error"]["status"], "NOT_FOUND")
        proc.stdin.close()
        self.assertEqual(proc.wait(timeout=30), 0)
        journal = self.server.journal()
        self.assertGreaterEqual(len(journal), 5)
        self.assertTrue(all(e["headers"].get("authorization") == "Bearer " + TOKEN
                            for e in journal))

    def test_persistent_ends_on_a_request_it_cannot_read(self):
        proc = subprocess.run([sys.executable, ADAPTER, "persistent"], input=b'{"operation":"x"}\n',
                              capture_output=True, timeout=30)
        self.assertEqual(proc.returncode, 2)
        self.assertEqual(proc.stdout, b"")


class MutantsTest(ServerTestCase):
    """Each mutant is visibly wrong on the case meant to catch it (and the adapter is not)."""

    def mutant(self, name, scenario, *args, **kw):
        program = os.path.join(MUTANTS, name + ".py")
        self.assertTrue(os.access(program, os.X_OK), program)
        self.server.scenario(scenario)
        return run_adapter(self.server, *args, program=program, **kw)

    def test_send_body_on_cancel(self):
        rc, doc, err, _ = self.mutant("send_body_on_cancel", "non-empty-body-rejected",
                                      "cancel", NAME)
        self.assertEqual((rc, doc["error"]["status"]), (1, "INVALID_ARGUMENT"), err)
        self.assertNotEqual(self.server.journal()[0]["body"], "{}")

    def test_cancelled_right_after_cancel(self):
        rc, doc, err, _ = self.mutant("cancelled_right_after_cancel", "job-finishes-first",
                                      "cancel-and-wait", NAME)
        self.assertEqual(rc, 0, err)
        self.assertEqual(doc["job"]["state"], "JOB_STATE_CANCELLED")  # really SUCCEEDED
        self.assertEqual(self.server.journal()[-1]["operation"], "nasJobs.cancel")  # no poll

    def test_retries_cancel_on_failed_precondition(self):
        rc, doc, err, _ = self.mutant("retries_cancel_on_failed_precondition", "already-terminal",
                                      "cancel", NAME)
        self.assertEqual(rc, 1, err)
        self.assertEqual(len(entries(self.server.journal(), "nasJobs.cancel")), 4)

    def test_ignores_next_page_token(self):
        rc, doc, err, _ = self.mutant("ignores_next_page_token", "list-many-pages", "list", PARENT)
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(doc["jobs"]), 3)

    def test_polls_without_backoff(self):
        rc, doc, err, _ = self.mutant("polls_without_backoff", "slow-cancellation",
                                      "cancel-and-wait", NAME)
        self.assertEqual(rc, 0, err)
        self.assertLess(min(gaps(entries(self.server.journal(), "nasJobs.get"))), 0.01)

    def test_polls_at_fixed_interval(self):
        rc, doc, err, _ = self.mutant("polls_at_fixed_interval", "slow-cancellation",
                                      "cancel-and-wait", NAME)
        self.assertEqual(rc, 0, err)
        g = gaps(entries(self.server.journal(), "nasJobs.get"))
        self.assertEqual(len(g), 10)
        self.assertGreaterEqual(min(g), 0.19, g)  # it waits…
        self.assertLess(max(g), 2 * min(g), g)   # …but never longer

    def test_no_deadline(self):
        with self.assertRaises(subprocess.TimeoutExpired):  # run() kills it
            self.mutant("no_deadline", "stalled-response", "get", NAME, deadline_ms=300, timeout=3)

    def test_cancelling_is_terminal(self):
        rc, doc, err, _ = self.mutant("cancelling_is_terminal", "cancel-succeeds",
                                      "cancel-and-wait", NAME)
        self.assertEqual(rc, 0, err)
        self.assertEqual(doc["job"]["state"], "JOB_STATE_CANCELLING")

    def test_maps_404_to_unknown(self):
        self.assertApiError(self.mutant("maps_404_to_unknown", "not-found", "get", NAME), "UNKNOWN")

    def test_crashes_on_unknown_field(self):
        rc, doc, err, _ = self.mutant("crashes_on_unknown_field", unknown_field_scenario(),
                                      "get", NAME)
        self.assertEqual(rc, 3)
        self.assertIn("Traceback", err)

    def test_double_encodes_name(self):
        result = self.mutant("double_encodes_name", "cancel-succeeds", "get", NAME)
        self.assertApiError(result, "NOT_FOUND")
        self.assertIn("projects%2F", self.server.journal()[0]["target"])

    def test_sends_body_on_get(self):
        rc, doc, err, _ = self.mutant("sends_body_on_get", "cancel-succeeds", "get", NAME)
        (get,) = self.server.journal()
        # The fake does not read (nor journal) a GET's body; its headers show it.
        self.assertEqual(get["headers"].get("content-length"), "2")
        self.assertEqual(get["headers"].get("content-type"), "application/json")

    def test_misses_auth_header(self):
        os.environ.pop("GOOGLE_OAUTH_ACCESS_TOKEN", None)
        rc, doc, err, _ = self.mutant("misses_auth_header", "cancel-succeeds", "get", NAME)
        self.assertNotIn("authorization", self.server.journal()[0]["headers"])

    def test_polls_after_terminal(self):
        rc, doc, err, _ = self.mutant("polls_after_terminal", "cancel-succeeds",
                                      "cancel-and-wait", NAME)
        self.assertEqual(rc, 0, err)
        self.assertEqual(doc["job"]["state"], "JOB_STATE_CANCELLED")
        self.assertEqual(len(entries(self.server.journal(), "nasJobs.get")), 4)  # adapter: 3

    def test_ignores_retry_info(self):
        rc, doc, err, _ = self.mutant("ignores_retry_info", "rate-limited", "get", NAME)
        self.assertEqual(rc, 0, err)
        self.assertLess(gaps(self.server.journal())[0], 1.0)  # RetryInfo said 2 s


if __name__ == "__main__":
    unittest.main(verbosity=2)
