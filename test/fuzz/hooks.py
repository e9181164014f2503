"""Schemathesis hooks for the API fuzz test (test/integration/api-fuzz.e2e.test.ts).

JSON Schema cannot say how two fields of one body relate. The document states these rules in
words (each request schema's description and `x-rules`); the server refuses a body that breaks
one with 422. So that a *valid* generated body is valid by those rules too, this hook mends the
positive cases it draws, the way a developer reading the rules would write the request:

- a control's `start` is below its `end` (defaults 0 and 1);
- training: `token` appears in `instancePrompt`; a second subject needs a `token` for the first,
  its own different token, appearing in its own prompt; prior preservation needs a class prompt.

Negative cases are left alone: they must still be refused.
"""

import schemathesis


def _positive(case):
    meta = getattr(case, "meta", None)
    generation = getattr(meta, "generation", None)
    mode = getattr(generation, "mode", None)
    return mode is not None and mode.is_positive


def _blank(value):
    return not isinstance(value, str) or not value.strip()


def _mend_generation(body):
    for control in body.get("controls") or []:
        if not isinstance(control, dict):
            continue
        start, end = control.get("start", 0), control.get("end", 1)
        if isinstance(start, (int, float)) and isinstance(end, (int, float)) and not start < end:
            control["start"], control["end"] = 0, 1


def _mend_training(body):
    second = body.get("secondSubject")
    if isinstance(second, dict) and _blank(body.get("token")):
        body["token"] = "sks"
    token = body.get("token")
    if not _blank(token):
        token = token.strip()
        if token not in str(body.get("instancePrompt", "")).strip():
            body["instancePrompt"] = f"a photo of {token}"
    if isinstance(second, dict):
        other = second.get("token")
        if _blank(other) or other.strip() == token:
            other = "zqx" if token != "zqx" else "qzx"
            second["token"] = other
        other = second["token"].strip()
        if other not in str(second.get("instancePrompt", "")).strip():
            second["instancePrompt"] = f"a photo of {other}"
    if body.get("priorPreservation") is True and _blank(body.get("classPrompt")):
        body["classPrompt"] = "a photo of a dog"


@schemathesis.hook
def map_case(context, case):
    if not _positive(case) or not isinstance(case.body, dict):
        return case
    if case.method.upper() == "POST" and case.path == "/generations":
        _mend_generation(case.body)
    elif case.method.upper() == "POST" and case.path == "/trainings":
        _mend_training(case.body)
    return case
