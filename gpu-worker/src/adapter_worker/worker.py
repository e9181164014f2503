"""The worker loop: lease a job, keep its lease alive, run it, upload, complete or fail.

A job's failure never ends the loop; only a shutdown request does. On SIGTERM an idle worker
stops polling at once, and a busy one either releases its job at the next step boundary (the
default: the app re-queues it without counting an attempt) or finishes it first.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import platform
import tempfile
import threading
import time
from pathlib import Path
from typing import Literal

import torch
from pydantic import ValidationError

from . import __version__
from .client import Backoff, LeaseLost, ProtocolError, TransientError, WorkerClient
from .edit import EditJob
from .errors import InvalidInput, JobCancelled, WorkerError
from .generate import GenerateEngine, GenerateResult
from .params import EditParams, GenerateParams, TrainParams, TrainXAdapterParams
from .previews import png_bytes
from .progress import Progress, StepMonitor
from .protocol import (
    Capabilities,
    CompleteRequest,
    DeviceInfo,
    ErrorBody,
    FailCode,
    FailRequest,
    HeartbeatRequest,
    HeartbeatResponse,
    LeasedJob,
    LeaseRequest,
    OutputResult,
    OutputSlot,
    ProgressBody,
    ReleaseRequest,
    Stage,
)
from .results import FileOutput, JobResult
from .train import TrainJob
from .xadapter_train import TrainXAdapterJob

log = logging.getLogger(__name__)
SigtermPolicy = Literal["release", "finish"]
KINDS = ("generate", "train", "edit")  # what this worker serves (capabilities.kinds)


def serves(caps: dict[str, list[str]]) -> list[str]:
    """capabilities.kinds: KINDS, plus `train_xadapter` when an X-Adapter pair is configured."""
    return list(KINDS) + (["train_xadapter"] if caps.get("x_adapters") else [])


class ShutdownRequested(BaseException):
    pass


class _Heartbeat(threading.Thread):
    """Sends progress (and the latest preview) every interval; relays `cancel` to the job."""

    def __init__(self, client: WorkerClient, job: LeasedJob, monitor: StepMonitor, health: Path | None) -> None:
        super().__init__(name=f"heartbeat-{job.id}", daemon=True)
        self.client, self.job, self.monitor, self.health = client, job, monitor, health
        self.stage: Stage = "downloading"
        self.step, self.total = 0, 0
        self._preview: bytes | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.lease_lost = False

    def on_progress(self, p: Progress) -> None:
        with self._lock:
            self.stage, self.step, self.total = "denoising", p.step, p.total
            if p.preview is not None:
                self._preview = png_bytes(p.preview)

    def set_stage(self, stage: Stage) -> None:
        with self._lock:
            self.stage = stage

    def beat(self) -> HeartbeatResponse | None:
        with self._lock:
            preview, self._preview = self._preview, None
            body = HeartbeatRequest(
                lease_id=self.job.lease_id, progress=ProgressBody(stage=self.stage, step=self.step, total=self.total),
                preview_png_base64=base64.b64encode(preview).decode() if preview else None)
        try:
            resp = self.client.heartbeat(self.job.id, body)
        except LeaseLost:
            self.lease_lost = True
            self.monitor.cancel("lease_lost")
            return None
        except (TransientError, ProtocolError) as err:
            log.warning("heartbeat for job %s failed: %s", self.job.id, err)
            return None
        touch(self.health)
        if resp.cancel:
            self.monitor.cancel("cancelled")
        return resp

    def run(self) -> None:
        interval = min(self.job.heartbeat_interval_s, 30.0)
        while not self._stop.wait(interval):
            self.beat()

    def stop(self) -> None:
        self._stop.set()


def as_job_result(result: GenerateResult) -> JobResult:
    files = [FileOutput.image(image, seed) for image, seed in zip(result.images, result.metadata["seeds"],
                                                                  strict=False)]
    return JobResult(files, result.metadata)


def touch(path: Path | None) -> None:
    if path is not None:
        path.touch()


class Worker:
    def __init__(self, client: WorkerClient, engine: GenerateEngine, worker_id: str, lease_wait_s: int = 20,
                 on_sigterm: SigtermPolicy = "release", health_file: Path | None = None) -> None:
        self.client, self.engine, self.worker_id = client, engine, worker_id
        self.lease_wait_s, self.on_sigterm, self.health_file = lease_wait_s, on_sigterm, health_file
        self.train_job, self.edit_job = TrainJob(engine), EditJob(engine)
        self.train_xadapter_job = TrainXAdapterJob(engine)
        self.stopping = threading.Event()
        self._state: Literal["idle", "polling", "working"] = "idle"
        self._monitor: StepMonitor | None = None
        self.jobs_done = 0

    # -- shutdown -----------------------------------------------------------------------------
    def request_stop(self) -> None:
        """Called from the SIGTERM handler (main thread)."""
        self.stopping.set()
        if self._state == "working" and self._monitor is not None and self.on_sigterm == "release":
            self._monitor.cancel("shutdown")
        elif self._state == "polling":
            raise ShutdownRequested  # abort the long-poll now; a lease in flight expires server-side

    # -- loop ---------------------------------------------------------------------------------
    def lease_request(self) -> LeaseRequest:
        caps = self.engine.registry.capabilities()
        spec = self.engine.spec
        name = torch.cuda.get_device_name(spec.device) if spec.is_cuda else platform.processor() or "cpu"
        memory = torch.cuda.get_device_properties(spec.device).total_memory if spec.is_cuda else None
        return LeaseRequest(worker_id=self.worker_id, worker_version=__version__, wait_s=self.lease_wait_s,
                            capabilities=Capabilities(kinds=serves(caps), **caps),
                            device=DeviceInfo(type=spec.device.type, name=name, memory_bytes=memory))

    def run(self, max_jobs: int | None = None) -> None:
        backoff = Backoff()
        request = self.lease_request()
        try:
            while not self.stopping.is_set() and (max_jobs is None or self.jobs_done < max_jobs):
                touch(self.health_file)
                try:
                    self._state = "polling"
                    job = self.client.lease(request)
                except (TransientError, ProtocolError) as err:
                    self._state = "idle"
                    delay = backoff.next_delay()
                    log.warning("lease failed (%s); retrying in %.1fs", err, delay)
                    self.stopping.wait(delay)
                    continue
                finally:
                    self._state = "idle"
                backoff.reset()
                if job is None:
                    continue
                if self.stopping.is_set():
                    self._release(job)
                    break
                self.process(job)
                self.jobs_done += 1
        except ShutdownRequested:
            log.info("shutdown requested while idle")
        log.info("worker stopped after %d job(s)", self.jobs_done)

    # -- one job ------------------------------------------------------------------------------
    def process(self, job: LeasedJob) -> None:
        log.info("job %s (attempt %d) leased", job.id, job.attempt)
        monitor = StepMonitor()
        hb = _Heartbeat(self.client, job, monitor, self.health_file)
        monitor.on_progress = hb.on_progress
        self._monitor, self._state = monitor, "working"
        if self.stopping.is_set() and self.on_sigterm == "release":
            monitor.cancel("shutdown")
        hb.start()
        try:
            with tempfile.TemporaryDirectory(prefix=f"job-{job.id[:32]}-") as tmp:
                result = self._execute(job, monitor, hb, Path(tmp))
                hb.set_stage("uploading")
                # Upload URLs expire with the lease: a heartbeat now brings fresh ones.
                fresh = hb.beat()
                monitor.check()
                slots = fresh.outputs if fresh is not None and fresh.outputs else job.outputs
                outputs = self._upload(slots, result)
            hb.stop()
            self._complete(job, CompleteRequest(lease_id=job.lease_id, outputs=outputs, metadata=result.metadata))
        except JobCancelled as stop:
            hb.stop()
            if stop.reason == "shutdown":
                self._release(job)
            elif stop.reason == "cancelled":
                self._fail(job, "cancelled", "cancelled by request", retryable=False)
            else:
                log.warning("job %s: lease lost, dropping it", job.id)
        except WorkerError as err:
            hb.stop()
            self._fail(job, err.code, err.message, err.retryable)  # type: ignore[arg-type]
        except Exception as err:  # the loop must survive anything a job does
            hb.stop()
            log.exception("job %s crashed", job.id)
            self._fail(job, "internal", f"{type(err).__name__}: {err}", retryable=True)
        finally:
            hb.stop()
            self._monitor, self._state = None, "idle"

    def _execute(self, job: LeasedJob, monitor: StepMonitor, hb: _Heartbeat, tmp: Path) -> JobResult:
        model = {"generate": GenerateParams, "train": TrainParams, "edit": EditParams,
                 "train_xadapter": TrainXAdapterParams}[job.kind]
        try:
            params = model.model_validate(job.params)
        except ValidationError as err:
            raise InvalidInput(f"invalid {job.kind} params: {err}") from err
        if isinstance(params, GenerateParams):
            monitor.preview_every = params.preview_every
            slots = params.num_images
        elif isinstance(params, TrainParams):
            slots = 1 + params.num_samples
        elif isinstance(params, TrainXAdapterParams):
            slots = 1
        else:
            slots = 1 + params.num_images
        if len(job.outputs) < slots:
            raise InvalidInput(f"job has {len(job.outputs)} output slots for {slots} outputs")
        inputs: dict[str, Path] = {}
        for i, (name, spec) in enumerate(sorted(job.inputs.items())):
            if name in params.input_names():
                dest = tmp / f"input-{i}"
                self.client.download(spec.url, dest, name, spec.sha256)
                inputs[name] = dest
            monitor.check()
        hb.set_stage("loading")
        if isinstance(params, TrainParams):
            return self.train_job.run(params, inputs, monitor)
        if isinstance(params, TrainXAdapterParams):
            return self.train_xadapter_job.run(params, inputs, monitor)
        if isinstance(params, EditParams):
            return self.edit_job.run(params, inputs, monitor)
        return as_job_result(self.engine.run(params, inputs, monitor))

    def _upload(self, slots: list[OutputSlot], result: JobResult) -> list[OutputResult]:
        """File i goes to slot i, PUT with the slot's content type (the app signs it); the report
        says what each file is: its size and SHA-256, which the app checks against what it stored."""
        outputs = []
        for out, slot in zip(result.files, slots, strict=False):
            data = out.data
            try:
                self._retry(lambda s=slot, d=data: self.client.upload(s.upload_url, d, s.content_type, s.headers))
            except ProtocolError as err:  # the link was refused (its lease ended): not worth repeating
                raise WorkerError(str(err), retryable=True) from err
            outputs.append(OutputResult(key=slot.key, content_type=out.content_type,  # type: ignore[arg-type]
                                        width=out.width, height=out.height, bytes=len(data),
                                        sha256=hashlib.sha256(data).hexdigest(), seed=out.seed))
        return outputs

    def _retry(self, call: object, attempts: int = 5) -> None:
        backoff = Backoff(base_s=0.25, cap_s=5.0)
        for i in range(attempts):
            try:
                call()  # type: ignore[operator]
                return
            except TransientError as err:
                if i == attempts - 1:
                    raise WorkerError(f"gave up after {attempts} attempts: {err}", retryable=True) from err
                time.sleep(backoff.next_delay())

    def _complete(self, job: LeasedJob, body: CompleteRequest) -> None:
        """Report success. If the app refuses the outputs (4xx: a file in storage is not what was
        declared, or an adapter fails its inspection), the job is failed as retryable, so another
        attempt under a new lease (new upload slots) can produce it again."""
        try:
            self._retry(lambda: self.client.complete(job.id, body))
        except LeaseLost:
            log.warning("job %s: lease lost before it could be reported", job.id)
            return
        except ProtocolError as err:
            self._fail(job, "internal", f"the app refused the completion: {err}", retryable=True)
            return
        except WorkerError as err:
            log.error("job %s: could not report the outcome: %s", job.id, err)
            return
        log.info("job %s succeeded in %.2fs", job.id, body.metadata["timings"]["total_s"])

    def _finish(self, job: LeasedJob, call: object, attempts: int = 5) -> None:
        """complete/fail/release are idempotent on the server, so retrying them is safe."""
        try:
            self._retry(call, attempts)
        except LeaseLost:
            log.warning("job %s: lease lost before it could be reported", job.id)
        except (WorkerError, ProtocolError) as err:
            log.error("job %s: could not report the outcome: %s", job.id, err)

    def _fail(self, job: LeasedJob, code: FailCode, message: str, retryable: bool) -> None:
        log.warning("job %s failed (%s): %s", job.id, code, message)
        body = FailRequest(lease_id=job.lease_id,
                           error=ErrorBody(code=code, message=message[:4000], retryable=retryable))
        self._finish(job, lambda: self.client.fail(job.id, body))

    def _release(self, job: LeasedJob) -> None:
        """Shutting down: one try. When it does not get through (the app is stopping too, as on
        Ctrl-C under `npm run dev`), the lease's expiry hands the job back; retrying with backoff
        would only keep the process alive for seconds after it was told to stop."""
        log.info("releasing job %s", job.id)
        self._finish(job, lambda: self.client.release(job.id, ReleaseRequest(lease_id=job.lease_id,
                                                                              reason="shutdown")),
                     attempts=1)
