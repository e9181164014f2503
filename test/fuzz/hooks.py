"""Schemathesis hooks for the API fuzz test (test/integration/api-fuzz.e2e.test.ts).

JSON Schema cannot say how two fields of one body relate. The document states these rules in
words (each request schema's description and `x-rules`); the server refuses a body that breaks
one with 422. So that a *valid* generated body is valid by those rules too, this hook mends the
positive cases it draws, the way a developer reading the rules would write the request:

- a control's `start` is below its `end` (defaults 0 and 1);
- a control of family `sdxl` runs only on an SDXL base model (FUZZ_SDXL_BASES, default the tiny
  set's `tiny-sdxl`; SD 1.5 controls reach SDXL through the X-Adapter the fuzzed server has);
- training: `token` appears in `instancePrompt`; a second subject needs a `token` for the first,
  its own different token, appearing in its own prompt; prior preservation needs a class prompt.

Ids are test data no generator can invent: a random UUID names nothing of the caller's, so
every valid edit or training would be a 404 and the fuzzer would never get past the lookup
(Schemathesis warns "missing test data"). The test seeds library images (as many as a training
may name, each at least as large as any resolution asks for) and one adapter, and passes their
ids here (FUZZ_IMAGE_IDS, comma-separated, and FUZZ_ADAPTER_ID); positive cases use them
wherever a body names an image or an adapter, distinct within one list as the server requires.
A delivery to replay exists only once a webhook event happened, and a job to get or cancel only
once one was made: the test makes both (FUZZ_DELIVERY_ID, FUZZ_JOB_ID), and positive cases of
those operations name them.

An `Idempotency-Key` is scoped to the caller, not to the operation: a key the generator draws
again for another request is rightly refused (422, as the header's description says), so a
positive case's key is made its own (a fresh UUID, as the description recommends): a key
repeated with the same body would replay the stored answer, naming a resource a later step of
the stateful run may already have deleted.

Likewise a file's bytes: a valid upload is a real image (FUZZ_IMAGE_FILE) or a real adapter
(FUZZ_ADAPTER_FILE), which no schema can describe, so positive uploads carry those files.

Negative cases are left alone: they must still be refused.
"""

import os
import uuid

import schemathesis

IMAGE_IDS = [i for i in os.environ.get("FUZZ_IMAGE_IDS", "").split(",") if i]
ADAPTER_ID = os.environ.get("FUZZ_ADAPTER_ID")
DELIVERY_ID = os.environ.get("FUZZ_DELIVERY_ID")
SDXL_BASES = [b for b in os.environ.get("FUZZ_SDXL_BASES", "tiny-sdxl").split(",") if b]
JOB_ID = os.environ.get("FUZZ_JOB_ID")
# Operations whose path id no generator can invent → the seeded resource (none of them deletes it).
SEEDED_PATH_IDS = {
    ("POST", "/webhooks/deliveries/{id}/replay"): DELIVERY_ID,
    ("POST", "/jobs/{id}/cancel"): JOB_ID,
    ("GET", "/jobs/{id}"): JOB_ID,
}


def _read(variable):
    path = os.environ.get(variable)
    if not path:
        raise RuntimeError(f"{variable} must name a seed file")
    with open(path, "rb") as f:
        return f.read()


UPLOADS = {"/references": "FUZZ_IMAGE_FILE", "/adapters": "FUZZ_ADAPTER_FILE"}


def _positive(case):
    meta = getattr(case, "meta", None)
    generation = getattr(meta, "generation", None)
    mode = getattr(generation, "mode", None)
    return mode is not None and mode.is_positive


# What JavaScript's String.prototype.trim() removes (the server trims text with it); Python's
# str.strip() removes a different set (\x1c-\x1f and \x85 too, but not \ufeff).
_JS_TRIMMED = "\t\n\v\f\r \u00a0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000\ufeff"


def _trim(value):
    return str(value).strip(_JS_TRIMMED)


def _blank(value):
    return not isinstance(value, str) or not _trim(value)


def _seed_ids(body):
    """Every image and adapter id of a generation, edit or training body → the seeded ones."""
    if not IMAGE_IDS or not ADAPTER_ID:
        raise RuntimeError("FUZZ_IMAGE_IDS and FUZZ_ADAPTER_ID must name the seeded test data")
    image = IMAGE_IDS[0]
    if "imageId" in body:
        body["imageId"] = image
    for subject in (body, body.get("secondSubject")):
        if isinstance(subject, dict) and isinstance(subject.get("imageIds"), list):
            ids = subject["imageIds"]
            if len(ids) > len(IMAGE_IDS):
                raise RuntimeError(f"{len(ids)} photos asked for, {len(IMAGE_IDS)} seeded")
            subject["imageIds"] = IMAGE_IDS[: len(ids)]
    for item in body.get("references") or []:
        if isinstance(item, dict):
            item["referenceId"] = image
    for item in body.get("controls") or []:
        if isinstance(item, dict):
            item["imageId"] = image
    for item in body.get("loras") or []:
        if isinstance(item, dict):
            item["adapterId"] = ADAPTER_ID


def _mend_generation(body):
    for control in body.get("controls") or []:
        if not isinstance(control, dict):
            continue
        if control.get("family") == "sdxl" and body.get("baseModel") not in SDXL_BASES:
            del control["family"]
        start, end = control.get("start", 0), control.get("end", 1)
        if isinstance(start, (int, float)) and isinstance(end, (int, float)) and not start < end:
            control["start"], control["end"] = 0, 1


def _mend_training(body):
    second = body.get("secondSubject")
    if isinstance(second, dict) and _blank(body.get("token")):
        body["token"] = "sks"
    token = body.get("token")
    if not _blank(token):
        token = _trim(token)
        if token not in _trim(body.get("instancePrompt", "")):
            body["instancePrompt"] = f"a photo of {token}"
    if isinstance(second, dict):
        other = second.get("token")
        if _blank(other) or _trim(other) == token:
            other = "zqx" if token != "zqx" else "qzx"
            second["token"] = other
        other = _trim(second["token"])
        if other not in _trim(second.get("instancePrompt", "")):
            second["instancePrompt"] = f"a photo of {other}"
    if body.get("priorPreservation") is True and _blank(body.get("classPrompt")):
        body["classPrompt"] = "a photo of a dog"


def _own_idempotency_key(case):
    headers = case.headers or {}
    for name in list(headers):
        if name.lower() == "idempotency-key" and isinstance(headers[name], str):
            headers[name] = str(uuid.uuid4())


@schemathesis.hook
def map_case(context, case):
    if not _positive(case):
        return case
    seeded = (case.method.upper(), case.path)
    if seeded in SEEDED_PATH_IDS:
        if not SEEDED_PATH_IDS[seeded]:
            raise RuntimeError("FUZZ_DELIVERY_ID and FUZZ_JOB_ID must name the seeded resources")
        case.path_parameters = {**(case.path_parameters or {}), "id": SEEDED_PATH_IDS[seeded]}
    if case.method.upper() != "POST":
        return case
    _own_idempotency_key(case)
    if not isinstance(case.body, dict):
        return case
    if case.path in UPLOADS:
        case.body["file"] = _read(UPLOADS[case.path])
    if case.path in ("/generations", "/generations/quote", "/edits", "/trainings"):
        _seed_ids(case.body)
    if case.path in ("/generations", "/generations/quote"):
        _mend_generation(case.body)
    elif case.path == "/trainings":
        _mend_training(case.body)
    return case
