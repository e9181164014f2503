"""What the worker declares about its outputs is what it uploaded, and it follows the app's rules
for upload slots: fresh URLs from the `uploading` heartbeat, write-once slots (a 409/412 on a
retry means the file is stored), a refused link is not hammered, a refused completion fails the
job as retryable (against the real HTTP server in tests/fake_app.py)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest

from adapter_worker.client import WorkerClient
from adapter_worker.generate import GenerateEngine
from adapter_worker.worker import Worker

from conftest import plain
from fake_app import FakeApp, FakeJob


@pytest.fixture
def app() -> Iterator[FakeApp]:
    with FakeApp() as server:
        yield server


def run_one(app: FakeApp, engine: GenerateEngine, **params: object) -> FakeJob:
    job = app.add_job(plain(steps=2, **params))
    Worker(WorkerClient(app.url, app.token), engine, "integrity", lease_wait_s=1).run(max_jobs=1)
    return job


def declared(job: FakeJob) -> list[dict[str, object]]:
    assert job.result is not None
    return job.result["outputs"]


def test_declared_sha256_and_bytes_match_every_uploaded_file(app: FakeApp, engine: GenerateEngine) -> None:
    job = run_one(app, engine, num_images=3)
    assert job.state == "succeeded", job.result
    outputs = declared(job)
    assert len(outputs) == 3
    for i, out in enumerate(outputs):
        data, _ = app.uploads[f"{job.id}/{i}"]
        assert out["key"] == f"outputs/{job.id}/{i}.png"
        assert out["bytes"] == len(data) > 0
        assert out["sha256"] == hashlib.sha256(data).hexdigest()


def test_uploads_go_to_the_fresh_urls_of_the_uploading_heartbeat(app: FakeApp, engine: GenerateEngine) -> None:
    app.fresh_upload_urls = True
    job = run_one(app, engine, num_images=2)
    assert job.state == "succeeded", job.result
    assert [hb["progress"]["stage"] for hb in job.heartbeats].count("uploading") >= 1
    assert app.upload_paths == [f"/upload/{job.id}/0?sig=fresh", f"/upload/{job.id}/1?sig=fresh"]


def test_a_write_once_conflict_on_a_retry_counts_as_stored(app: FakeApp, engine: GenerateEngine) -> None:
    # The first PUT is stored but its answer is lost (500); the retry finds the slot taken.
    for taken in (409, 412):
        app.upload_replies.extend([500, taken])
        job = run_one(app, engine, num_images=1)
        assert job.state == "succeeded", job.result
        data, _ = app.uploads[f"{job.id}/0"]
        assert declared(job)[0]["sha256"] == hashlib.sha256(data).hexdigest()


def test_a_refused_upload_link_is_not_retried(app: FakeApp, engine: GenerateEngine) -> None:
    app.upload_replies.append(403)
    job = run_one(app, engine, num_images=1)
    assert len(app.upload_paths) == 1
    assert job.state == "failed" and job.result is not None
    assert job.result["error"]["retryable"] is True
    assert "upload refused: HTTP 403" in job.result["error"]["message"]


def test_a_refused_completion_fails_the_job_as_retryable(app: FakeApp, engine: GenerateEngine) -> None:
    app.complete_replies.append((422, {"code": "VALIDATION_FAILED",
                                       "detail": "Output x does not match what the worker declared"}))
    job = run_one(app, engine, num_images=1)
    assert [c for c, j in app.calls if j == job.id][-2:] == ["complete", "fail"]
    assert job.state == "failed" and job.result is not None
    assert job.result["error"]["code"] == "internal" and job.result["error"]["retryable"] is True
    assert "the app refused the completion" in job.result["error"]["message"]
