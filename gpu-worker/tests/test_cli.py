"""The real CLI as a subprocess: SIGTERM releases a leased job; an idle worker exits at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import plain
from fake_app import FakeApp

# The longest long poll the protocol allows: a worker that does not abort it on SIGTERM sits in it
# for a minute, far past the generous exit timeout below, so the idle test cannot pass by luck.
LEASE_WAIT_S = 60
EXIT_TIMEOUT_S = 30


def start_worker(app: FakeApp, models_dir: Path, tmp_path: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "ADAPTER_WORKER_TOKEN": app.token, "ADAPTER_WORKER_DEVICE": "cpu"}
    return subprocess.Popen(  # noqa: S603 - fixed argv, our own module
        [sys.executable, "-m", "adapter_worker", "--server", app.url, "--models", str(models_dir / "models.json"),
         "--worker-id", "cli-worker", "--lease-wait", str(LEASE_WAIT_S), "--health-file", str(tmp_path / "alive")],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def stop(proc: subprocess.Popen[bytes], timeout: float = EXIT_TIMEOUT_S) -> tuple[int, str]:
    proc.send_signal(signal.SIGTERM)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
        pytest.fail(f"worker did not exit after SIGTERM:\n{out.decode()[-3000:]}")
    return proc.returncode, out.decode()


def test_sigterm_releases_the_leased_job(models_dir: Path, tmp_path: Path) -> None:
    with FakeApp() as app:
        job = app.add_job(plain(steps=150, width=128, height=128))
        proc = start_worker(app, models_dir, tmp_path)
        try:
            started = app.wait_for(lambda: any(hb["progress"]["stage"] == "denoising" for hb in job.heartbeats),
                                   timeout=120)
            assert started, "worker never started denoising"
            lease_id = job.lease_id
            code, log = stop(proc)  # fails the test unless it exits within EXIT_TIMEOUT_S
        finally:
            proc.kill()
        assert code == 0, log[-3000:]
        # Stopped mid-denoising, not after finishing the 150 steps: the last progress it sent
        # is short of the end, and it never completed.
        assert max(hb["progress"]["step"] for hb in job.heartbeats) < 150
        assert job.state == "queued", log[-3000:]  # back in the queue for another worker
        assert job.result == {"lease_id": lease_id, "reason": "shutdown"}
        assert ("complete", job.id) not in app.calls and ("fail", job.id) not in app.calls
        assert "releasing job" in log


def test_sigterm_while_idle_exits_promptly(models_dir: Path, tmp_path: Path) -> None:
    with FakeApp() as app:
        proc = start_worker(app, models_dir, tmp_path)
        try:
            assert app.wait_for(lambda: ("lease", "cli-worker") in app.calls, timeout=120)
            # In its 60 s long poll now: only aborting it lets the worker exit within the timeout.
            code, log = stop(proc)
        finally:
            proc.kill()
        assert code == 0, log[-3000:]
        assert "shutdown requested while idle" in log
