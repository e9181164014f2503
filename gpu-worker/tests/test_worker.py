"""The worker loop against a real HTTP server speaking protocol v1 (tests/fake_app.py)."""

from __future__ import annotations

import base64
import hashlib
import io
import random
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from adapter_worker import worker as worker_module
from adapter_worker.client import Backoff, ProtocolError, WorkerClient
from adapter_worker.generate import GenerateEngine
from adapter_worker.health import main as health_main
from adapter_worker.progress import Progress
from adapter_worker.worker import Worker

from conftest import plain
from fake_app import FakeApp


@pytest.fixture
def app() -> Iterator[FakeApp]:
    with FakeApp() as server:
        yield server


def make_worker(app: FakeApp, engine: GenerateEngine, health: Path | None = None) -> Worker:
    return Worker(WorkerClient(app.url, app.token), engine, "test-worker", lease_wait_s=1, health_file=health)


def read(files: dict[str, Path], *names: str) -> dict[str, bytes]:
    return {name: files[name].read_bytes() for name in names}


def test_job_runs_end_to_end(app: FakeApp, engine: GenerateEngine, files: dict[str, Path], tmp_path: Path) -> None:
    job = app.add_job(plain(steps=30, num_images=2, preview_every=3, references=[{"image": "ref_a"}],
                            loras=[{"file": "style-kohya", "weight": 0.8}],
                            controls=[{"type": "canny", "image": "photo", "preprocess": "canny"}]),
                      read(files, "ref_a", "photo", "style-kohya"))
    health = tmp_path / "alive"
    make_worker(app, engine, health).run(max_jobs=1)

    assert job.state == "succeeded", job.result
    assert job.result is not None
    outputs = job.result["outputs"]
    assert [o["key"] for o in outputs] == [f"outputs/{job.id}/0.png", f"outputs/{job.id}/1.png"]
    for i, out in enumerate(outputs):
        data, headers = app.uploads[f"{job.id}/{i}"]
        assert hashlib.sha256(data).hexdigest() == out["sha256"] and len(data) == out["bytes"]
        assert Image.open(io.BytesIO(data)).size == (64, 64) and out["seed"] == 1234 + i
        assert headers["x-job-id"] == job.id and headers["Content-Type"] == "image/png"
        assert "Authorization" not in headers  # the worker token never goes to storage
    meta = job.result["metadata"]
    assert meta["models"]["controlnets"] == ["canny"] and meta["seeds"] == [1234, 1235]

    denoising = [hb for hb in job.heartbeats if hb["progress"]["stage"] == "denoising"]
    assert denoising, "no progress heartbeat"
    assert all(hb["lease_id"] == job.lease_id and hb["progress"]["total"] == 30 for hb in denoising)
    previews = [hb["preview_png_base64"] for hb in job.heartbeats if hb["preview_png_base64"]]
    assert previews, "no preview sent"
    assert Image.open(io.BytesIO(base64.b64decode(previews[0]))).format == "PNG"
    assert health_main(["--file", str(health)]) == 0


def test_bad_jobs_fail_with_codes_and_the_loop_survives(app: FakeApp, engine: GenerateEngine,
                                                        files: dict[str, Path]) -> None:
    jobs = [
        app.add_job(plain(width=100)),
        app.add_job(plain(loras=[{"file": "l"}]), {"l": files["foreign-lora"].read_bytes()}),
        app.add_job(plain(references=[{"image": "r"}]), {"r": files["not_image"].read_bytes()}),
        app.add_job(plain(controls=[{"type": "openpose", "image": "p"}]), {"p": files["photo"].read_bytes()}),
        app.add_job(plain(base_model="missing")),
        app.add_job(plain()),
    ]
    make_worker(app, engine).run(max_jobs=len(jobs))
    errors = [j.result["error"] if j.result and "error" in j.result else None for j in jobs]
    assert [e["code"] if e else None for e in errors] == [
        "invalid_input", "lora_mismatch", "invalid_input", "model_not_found", "model_not_found", None]
    assert errors[0] is not None and "100 is not a multiple of 8" in errors[0]["message"]
    assert all(e is None or e["retryable"] is False for e in errors)
    assert jobs[-1].state == "succeeded"


def test_cancel_from_heartbeat(app: FakeApp, engine: GenerateEngine) -> None:
    job = app.add_job(plain(steps=150))

    def cancel_when_running() -> None:
        app.wait_for(lambda: any(hb["progress"]["step"] > 0 for hb in job.heartbeats))
        with app.cond:
            job.cancel = True

    threading.Thread(target=cancel_when_running, daemon=True).start()
    make_worker(app, engine).run(max_jobs=1)
    assert job.state == "canceled"
    assert job.result is not None and job.result["error"] == {"code": "cancelled", "message": "cancelled by request",
                                                              "retryable": False}
    assert max(hb["progress"]["step"] for hb in job.heartbeats) < 150


def test_stale_lease_drops_the_job(app: FakeApp, engine: GenerateEngine) -> None:
    job = app.add_job(plain(steps=150))

    def steal_lease() -> None:  # the lease expired and the app gave the job to another worker
        app.wait_for(lambda: len(job.heartbeats) > 0)
        with app.cond:
            job.lease_id = "someone-else"

    threading.Thread(target=steal_lease, daemon=True).start()
    make_worker(app, engine).run(max_jobs=1)
    assert job.state == "leased" and job.result is None
    assert ("complete", job.id) not in app.calls and ("fail", job.id) not in app.calls


class RecordingEvent(threading.Event):
    """The worker's stop flag, recording how long each wait on it was asked to last."""

    def __init__(self) -> None:
        super().__init__()
        self.waits: list[float | None] = []

    def wait(self, timeout: float | None = None) -> bool:
        self.waits.append(timeout)
        return super().wait(timeout)


def test_backs_off_and_retries_when_the_server_errors(app: FakeApp, engine: GenerateEngine) -> None:
    app.lease_errors = 2
    job = app.add_job(plain())
    worker = make_worker(app, engine)
    worker.stopping = RecordingEvent()
    seed = random.randrange(2**32)  # noqa: S311 - a test seed
    print(f"backoff jitter seed: {seed}")
    state = random.getstate()
    try:
        random.seed(seed)  # the jitter's draws, replayed below with a fresh Backoff
        worker.run(max_jobs=1)
        random.seed(seed)
        backoff = Backoff()
        expected = [backoff.next_delay(), backoff.next_delay()]
    finally:
        random.setstate(state)
    assert job.state == "succeeded"
    assert [c for c in app.calls if c[0] == "lease"][:3] == [("lease", "test-worker")] * 3
    # One wait per failed lease, growing: full jitter under 0.5 s x 2^attempt, the attempt count
    # kept across the two failures (not reset until a lease succeeds).
    assert worker.stopping.waits == expected
    assert 0 <= expected[0] <= 1.0 and 0 <= expected[1] <= 2.0


def test_wrong_token_is_a_protocol_error(app: FakeApp, engine: GenerateEngine) -> None:
    worker = Worker(WorkerClient(app.url, "wrong"), engine, "w", lease_wait_s=0)
    with pytest.raises(ProtocolError, match="401"):
        worker.client.lease(worker.lease_request())


@pytest.mark.usefixtures("one_thread")
def test_train_and_edit_jobs_run_through_the_loop(app: FakeApp, engine: GenerateEngine, files: dict[str, Path],
                                                  tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADAPTER_WORKER_SVD_CACHE", str(tmp_path / "svd"))
    # Every progress report the job makes, as the heartbeat thread receives it (heartbeats are
    # sent on a timer, so the ones the app sees are a sample of these).
    reported: dict[str, list[tuple[int, int]]] = {}
    on_progress = worker_module._Heartbeat.on_progress

    def record(self: worker_module._Heartbeat, p: Progress) -> None:
        reported.setdefault(self.job.id, []).append((p.step, p.total))
        on_progress(self, p)

    monkeypatch.setattr(worker_module._Heartbeat, "on_progress", record)
    photo = files["photo"].read_bytes()
    train = app.add_job({"images": ["p0", "p1"], "instance_prompt": "a photo of sks box", "steps": 3,
                         "resolution": 64, "num_samples": 1, "sample_steps": 2, "seed": 5},
                        {"p0": photo, "p1": photo}, kind="train")
    edit = app.add_job({"image": "p", "source_prompt": "a box", "target_prompt": "a red box", "steps": 3,
                        "resolution": 64, "inversion_steps": 2, "seed": 6}, {"p": photo}, kind="edit")
    bad = app.add_job({"images": [], "instance_prompt": "x"}, kind="train")
    make_worker(app, engine).run(max_jobs=3)
    assert app.calls and app.calls[0][0] == "lease"
    for job in (train, edit):
        assert job.state == "succeeded", job.result
        assert job.result is not None
        adapter, image = job.result["outputs"]
        assert adapter["content_type"] == "application/octet-stream" and adapter["width"] is None
        assert adapter["key"].endswith("/0.safetensors") and image["content_type"] == "image/png"
        data, headers = app.uploads[f"{job.id}/0"]
        assert headers["Content-Type"] == "application/octet-stream"
        assert hashlib.sha256(data).hexdigest() == adapter["sha256"] == job.result["metadata"]["adapter"]["sha256"]
        assert image["width"] == 64 and image["seed"] == job.params["seed"]
        # One progress bar over tuning and sampling: train 3 steps + 1 sample x 2 steps; edit 3
        # tuning steps + 2 inversion steps x (1 + 1 image). Every step counted once, in order.
        total = {train.id: 3 + 1 * 2, edit.id: 3 + 2 * (1 + 1)}[job.id]
        steps = reported[job.id]
        assert {t for _, t in steps} == {total}, steps
        assert [s for s, _ in steps] == list(range(1, total + 1)), steps
        sent = {hb["progress"]["total"] for hb in job.heartbeats if hb["progress"]["stage"] == "denoising"}
        assert sent <= {total}
    assert bad.state == "failed" and bad.result is not None and bad.result["error"]["code"] == "invalid_input"
    assert "at least 1 item" in bad.result["error"]["message"]


def test_release_on_shutdown_is_one_try(app: FakeApp, engine: GenerateEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    """Stopping while the app stops too (Ctrl-C under `npm run dev`): one release attempt, no
    backoff; the lease's expiry hands the job back."""
    from types import SimpleNamespace
    from typing import cast

    from adapter_worker.client import TransientError
    from adapter_worker.protocol import LeasedJob

    worker = make_worker(app, engine)
    calls: list[str] = []

    def refused(job_id: str, body: object) -> None:
        calls.append(job_id)
        raise TransientError("connection refused")

    monkeypatch.setattr(worker.client, "release", refused)
    monkeypatch.setattr(worker_module.time, "sleep", lambda s: calls.append(f"sleep {s}"))
    worker._release(cast(LeasedJob, SimpleNamespace(id="job-1", lease_id="lease-1")))
    assert calls == ["job-1"]
