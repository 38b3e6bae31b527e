#!/usr/bin/env python3
"""Self-check of the Vapi fake: starts fake_vapi.py on a free port, drives it
through the flows supportsync's tests rely on, and prints one line per check.
Exits 1 when any check fails.

    .build/tools/venv/bin/python Tests/VapiFake/selfcheck.py
"""

import http.client
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TOKEN = "selfcheck-token"


class Fake:
    """fake_vapi.py in a subprocess, for the length of a `with` block."""

    def __init__(self, *options):
        self.options = options

    def __enter__(self):
        self.process = subprocess.Popen(
            [sys.executable, str(HERE / "fake_vapi.py"), "--spec", str(HERE / "openapi.json"),
             "--token", TOKEN, "--port", "0", *self.options],
            stdout=subprocess.PIPE, text=True)
        line = self.process.stdout.readline().strip()
        prefix = "listening on http://127.0.0.1:"
        if not line.startswith(prefix):
            self.process.kill()
            raise RuntimeError(f"the fake did not start: {line!r}")
        self.port = int(line[len(prefix):])
        return self

    def __exit__(self, *exc):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            self.exit_status = self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.exit_status = None
        return False

    def request(self, method, path, body=None, token=TOKEN):
        """(status, headers, JSON body) of one request on a new connection."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        try:
            connection.request(method, path, payload, headers)
            response = connection.getresponse()
            data = response.read()
            return response.status, dict(response.getheaders()), json.loads(data) if data else None
        finally:
            connection.close()


class Checks:
    def __init__(self):
        self.count = 0
        self.failures = 0

    def __call__(self, description, condition, detail=None):
        self.count += 1
        if condition:
            print(f"ok - {description}")
        else:
            self.failures += 1
            print(f"FAIL - {description}")
            if detail is not None:
                print(f"    {json.dumps(detail)[:2000]}")
        return condition


def messages(body):
    return body.get("message", []) if isinstance(body, dict) else []


def exercise(fake, check):
    status, _, body = fake.request("GET", "/assistant", token=None)
    check("no token: 401 Unauthorized", (status, body) == (401, {"message": "Unauthorized", "statusCode": 401}), body)
    status, _, body = fake.request("GET", "/nope")
    check("unknown route: 404 Cannot GET /nope", (status, body) == (
        404, {"message": "Cannot GET /nope", "error": "Not Found", "statusCode": 404}), body)
    status, _, body = fake.request("DELETE", "/assistant/00000000-0000-4000-8000-000000000000")
    check("undeclared method on a known path: 404", status == 404 and "Cannot DELETE" in body["message"], body)

    # Tools and an assistant, as a provider would create them.
    status, _, transfer = fake.request("POST", "/tool", {
        "type": "transferCall",
        "destinations": [{"type": "number", "number": "+14155550100", "extension": "12",
                          "message": "Connecting you", "description": "Billing desk"}]})
    check("POST /tool transferCall: 201 with server fields", status == 201 and transfer["type"] == "transferCall"
          and all(key in transfer for key in ("id", "orgId", "createdAt", "updatedAt")), transfer)
    status, _, function = fake.request("POST", "/tool", {
        "type": "function",
        "function": {"name": "supportsync_flag", "description": "Log a ticket for a human",
                     "parameters": {"type": "object",
                                    "properties": {"reason": {"type": "string", "description": "Why"}},
                                    "required": ["reason"]}}})
    check("POST /tool function (name matches the document's JS-literal pattern): 201", status == 201, function)
    status, _, body = fake.request("POST", "/tool", {
        "type": "transferCall", "destinations": [{"type": "number", "number": "+14155550100",
                                                  "extension": "12345678901"}]})
    check("extension of 11 characters: 400", status == 400 and
          "destinations.0.extension must be shorter than or equal to 10 characters" in messages(body), body)

    assistant_body = {
        "name": "Billing",
        "model": {"provider": "openai", "model": "gpt-4o",
                  "messages": [{"role": "system", "content": "You are helpful"}],
                  "toolIds": [transfer["id"], function["id"]]},
        "metadata": {"supportsync": {"agent": "billing"}},
        "artifactPlan": {"structuredOutputs": [{
            "name": "supportsync-ticket",
            "schema": {"type": "object", "properties": {"reason": {"type": "string"}}, "required": ["reason"]}}]},
    }
    status, _, assistant = fake.request("POST", "/assistant", assistant_body)
    check("POST /assistant: 201, body stored as sent", status == 201 and
          {key: assistant.get(key) for key in assistant_body} == assistant_body, assistant)
    status, _, fetched = fake.request("GET", f"/assistant/{assistant['id']}")
    check("GET /assistant/{id}: the created assistant", (status, fetched) == (200, assistant), fetched)
    status, _, body = fake.request("GET", "/assistant/7c1e2b8e-0d5e-4b43-9a43-3f0c5d6c2a11")
    check("GET unknown id: 404", (status, body) == (404, {"message": "Not Found", "statusCode": 404}), body)

    # PATCH: top level partial, each field sent replaced wholesale.
    time.sleep(0.002)
    new_model = {"provider": "openai", "model": "gpt-4o",
                 "messages": [{"role": "system", "content": "You are terse"}]}
    status, _, patched = fake.request("PATCH", f"/assistant/{assistant['id']}", {"model": new_model})
    check("PATCH model: replaced wholesale (toolIds gone), other fields kept, updatedAt moved",
          status == 200 and patched["model"] == new_model and patched["name"] == "Billing"
          and patched["metadata"] == assistant_body["metadata"]
          and patched["updatedAt"] > assistant["updatedAt"] and patched["createdAt"] == assistant["createdAt"],
          patched)

    status, _, body = fake.request("PATCH", f"/assistant/{assistant['id']}", {"name": "x", "foo": 1})
    check("unknown property: 400 property foo should not exist", status == 400 and
          body.get("error") == "Bad Request" and "property foo should not exist" in messages(body), body)
    status, _, body = fake.request("PATCH", f"/assistant/{assistant['id']}",
                                   {"model": {**new_model, "temperatur": 0.2}})
    check("unknown nested property: 400 model.property temperatur should not exist", status == 400 and
          "model.property temperatur should not exist" in messages(body), body)
    status, _, body = fake.request("PATCH", f"/assistant/{assistant['id']}", {"name": "n" * 41})
    check("name of 41 characters: 400", status == 400 and
          messages(body) == ["name must be shorter than or equal to 40 characters"], body)
    status, _, body = fake.request("PATCH", f"/assistant/{assistant['id']}",
                                   {"model": {"provider": "openai", "model": "gpt-4o-nonexistent"}})
    check("unknown model: 400 naming model.model", status == 400 and
          any(message.startswith("model.model must be one of") for message in messages(body)), body)
    status, _, body = fake.request("GET", "/assistant?limit=abc&foo=1&createdAtGt=yesterday")
    check("query: undeclared parameter, non-number limit, non-ISO date: 400", status == 400 and messages(body) == [
        "property foo should not exist", "limit must be a number conforming to the specified constraints",
        "createdAtGt must be a valid ISO 8601 date string"], body)

    # PATCH /tool: the stored type's Update DTO only.
    status, _, body = fake.request("PATCH", f"/tool/{transfer['id']}", {"type": "function"})
    check("PATCH /tool with another type: 400", status == 400, body)
    status, _, body = fake.request("PATCH", f"/tool/{transfer['id']}", {
        "type": "transferCall", "destinations": [{"type": "sip", "sipUri": "sip:desk@example.com"}]})
    check("PATCH /tool destinations: replaced", status == 200 and body["destinations"] ==
          [{"type": "sip", "sipUri": "sip:desk@example.com"}], body)

    # A dashboard edit.
    status, _, before = fake.request("GET", f"/assistant/{assistant['id']}")
    time.sleep(0.002)
    status, _, edited = fake.request("POST", f"/__fake/assistants/{assistant['id']}/edit",
                                     {"firstMessage": "Hi there", "name": "Billing (edited)"})
    status2, _, after = fake.request("GET", f"/assistant/{assistant['id']}")
    check("dashboard edit: merged at the top level, updatedAt moved", status == 200 and after == edited
          and after["firstMessage"] == "Hi there" and after["model"] == before["model"]
          and after["updatedAt"] > before["updatedAt"], edited)
    status, _, body = fake.request("POST", f"/__fake/assistants/{assistant['id']}/edit", {"name": "n" * 41})
    check("dashboard edit that breaks the document: 400", status == 400, body)

    # Faults.
    fake.request("POST", "/__fake/faults", {"method": "GET", "path": "/assistant", "kind": "status",
                                            "status": 429, "retry_after": "2"})
    status, headers, body = fake.request("GET", "/assistant")
    check("429 fault with Retry-After: 2", status == 429 and headers.get("Retry-After") == "2", [status, headers])
    status, _, listed = fake.request("GET", "/assistant")
    check("fault consumed: next GET /assistant is 200", status == 200 and len(listed) == 1, listed)
    fake.request("POST", "/__fake/faults", {"method": "PATCH", "path": "/assistant/", "kind": "status",
                                            "status": 500, "times": 1})
    status, _, _ = fake.request("PATCH", f"/assistant/{assistant['id']}", {"name": "Not written"})
    _, _, current = fake.request("GET", f"/assistant/{assistant['id']}")
    check("500 fault: nothing written", status == 500 and current["name"] == "Billing (edited)", current)
    fake.request("POST", "/__fake/faults", {"method": "PATCH", "kind": "drop-after-commit"})
    try:
        fake.request("PATCH", f"/assistant/{assistant['id']}", {"name": "Committed"})
        dropped = False
    except (http.client.RemoteDisconnected, ConnectionError):
        dropped = True
    _, _, current = fake.request("GET", f"/assistant/{assistant['id']}")
    check("drop-after-commit: no answer, but the write happened", dropped and current["name"] == "Committed",
          current)
    fake.request("POST", "/__fake/faults", {"kind": "delay", "seconds": 0.3})
    started = time.monotonic()
    status, _, _ = fake.request("GET", "/tool")
    check("delay fault: answered after the delay", status == 200 and time.monotonic() - started >= 0.3)

    # Calls: seeded, listed with an updatedAt cursor, filtered, deleted.
    stamp = "2026-12-01T10:00:00.123Z"
    status, _, seeded = fake.request("POST", "/__fake/calls", [
        {"type": "inboundPhoneCall", "status": "ended", "assistantId": assistant["id"],
         "createdAt": "2026-12-01T09:59:00.000Z", "updatedAt": stamp,
         "analysis": {"structuredData": {"reason": "refund"}}},
        {"type": "webCall", "status": "ended", "assistantId": assistant["id"],
         "createdAt": "2026-12-01T09:59:30.000Z", "updatedAt": stamp,
         "artifact": {"structuredOutputs": {"x": {"name": "supportsync-ticket", "result": {"reason": "bug"}}}}},
        {"type": "webCall", "status": "ended", "assistantId": "someone-else"},
    ])
    check("seeding calls: given timestamps kept, missing fields filled", status == 201 and len(seeded) == 3
          and seeded[0]["updatedAt"] == seeded[1]["updatedAt"] == stamp and "id" in seeded[2], seeded)
    status, _, body = fake.request("POST", "/__fake/calls", [{"status": "sleeping"}])
    check("seeding an invalid call: 400", status == 400, body)
    status, _, page = fake.request("GET", f"/call?updatedAtGe={stamp}&assistantId={assistant['id']}")
    check("GET /call?updatedAtGe=&assistantId=: both equal-stamp calls, newest createdAt first",
          status == 200 and [call["id"] for call in page] == [seeded[1]["id"], seeded[0]["id"]], page)
    status, _, page = fake.request("GET", f"/call?updatedAtGt={stamp}")
    check("GET /call?updatedAtGt=: only the later call", status == 200 and
          [call["id"] for call in page] == [seeded[2]["id"]], page)
    status, _, page = fake.request("GET", "/call?limit=1")
    check("GET /call?limit=1: one call", status == 200 and len(page) == 1, page)
    status, _, deleted = fake.request("DELETE", f"/call/{seeded[0]['id']}")
    status2, _, _ = fake.request("GET", f"/call/{seeded[0]['id']}")
    check("DELETE /call/{id}: 200 with the call, then 404", status == 200 and deleted["id"] == seeded[0]["id"]
          and status2 == 404, deleted)
    status, _, deleted = fake.request("DELETE", f"/tool/{function['id']}")
    status2, _, _ = fake.request("GET", f"/tool/{function['id']}")
    check("DELETE /tool/{id}: 200 with the tool, then 404", status == 200 and deleted["type"] == "function"
          and status2 == 404, deleted)

    # The request log, state and failures.
    _, _, log = fake.request("GET", "/__fake/requests")
    patches = [entry for entry in log if entry["method"] == "PATCH"]
    check("request log: every API request in order, with status and body",
          log[0] == {"method": "GET", "path": "/assistant", "query": {}, "body": None, "status": 401, "fault": None}
          and patches[0]["body"] == {"model": new_model} and patches[0]["status"] == 200
          and any(entry["fault"] == "drop-after-commit" for entry in log)
          and not any(entry["path"].startswith("/__fake") for entry in log), log[:3])
    fake.request("DELETE", "/__fake/requests")
    _, _, log = fake.request("GET", "/__fake/requests")
    check("DELETE /__fake/requests clears the log", log == [], log)
    _, _, state = fake.request("GET", "/__fake/state")
    check("state: 1 assistant, 1 tool, 2 calls", [len(state[kind]) for kind in ("assistants", "tools", "calls")]
          == [1, 1, 2], state)
    _, _, failures = fake.request("GET", "/__fake/failures")
    check("no response failed the document's schemas", failures == [], failures)
    fake.request("POST", "/__fake/reset")
    _, _, state = fake.request("GET", "/__fake/state")
    check("reset empties the state", state == {"assistants": [], "tools": [], "calls": []}, state)


def exercise_rate(fake, check):
    statuses = [fake.request("GET", "/tool")[:2] for _ in range(3)]
    check("--rate 2: the third immediate request is 429 with Retry-After: 1",
          [status for status, _ in statuses] == [200, 200, 429] and statuses[2][1].get("Retry-After") == "1",
          [status for status, _ in statuses])
    time.sleep(0.6)
    check("--rate 2: a token is back after half a second", fake.request("GET", "/tool")[0] == 200)


def main():
    check = Checks()
    for options, scenario in (((), exercise), (("--rate", "2"), exercise_rate)):
        fake = Fake(*options)
        try:
            with fake:
                scenario(fake, check)
        except Exception as error:  # a crash is a failed check, not a traceback
            check(f"{scenario.__name__} ran to the end", False, f"{type(error).__name__}: {error}")
        check(f"{scenario.__name__}: the fake exits 0 on SIGTERM",
              getattr(fake, "exit_status", None) == 0, getattr(fake, "exit_status", None))
    print(f"selfcheck: {check.count - check.failures} of {check.count} checks ok")
    return 1 if check.failures else 0


if __name__ == "__main__":
    sys.exit(main())
