"""A small real HTTP server speaking the app's side of worker protocol v1, for the client tests.

It validates what the worker sends with the same pydantic models, keeps jobs in memory, serves
inputs and accepts uploads at "signed" URLs, enforces bearer auth and lease ids (409 when stale),
and records every call so tests can assert on the conversation.
"""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from adapter_worker.protocol import (
    API_PREFIX,
    CompleteRequest,
    FailRequest,
    HeartbeatRequest,
    LeaseRequest,
    ReleaseRequest,
)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        # A worker that aborts its long-poll on SIGTERM closes the socket mid-response: expected.
        pass


@dataclass
class FakeJob:
    id: str
    params: dict[str, Any]
    inputs: dict[str, bytes]
    state: str = "queued"  # queued | leased | succeeded | failed | canceled
    lease_id: str | None = None
    cancel: bool = False
    heartbeats: list[dict[str, Any]] = field(default_factory=list)
    result: dict[str, Any] | None = None
    attempts: int = 0
    kind: str = "generate"


class FakeApp:
    def __init__(self, token: str = "test-token") -> None:
        self.token = token
        self.jobs: dict[str, FakeJob] = {}
        self.queue: deque[str] = deque()
        self.uploads: dict[str, tuple[bytes, dict[str, str]]] = {}
        self.calls: list[tuple[str, str]] = []  # (endpoint, job id or "")
        self.lease_errors = 0  # answer this many lease calls with 503 first
        # Output integrity (the app's side of write-once, lease-bound upload slots):
        self.fresh_upload_urls = False  # a heartbeat in the `uploading` stage returns fresh slots
        self.upload_replies: deque[int] = deque()  # answer the next PUTs with these statuses
        self.upload_paths: list[str] = []  # every PUT's path and query, in order
        self.complete_replies: deque[tuple[int, dict[str, Any]]] = deque()  # next `complete` answers
        self.cond = threading.Condition()
        self.server = _QuietServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> FakeApp:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def add_job(self, params: dict[str, Any], inputs: dict[str, bytes] | None = None, kind: str = "generate"
                ) -> FakeJob:
        job = FakeJob(id=f"job_{uuid.uuid4().hex[:10]}", params=params, inputs=inputs or {}, kind=kind)
        with self.cond:
            self.jobs[job.id] = job
            self.queue.append(job.id)
            self.cond.notify_all()
        return job

    def wait_for(self, predicate: Any, timeout: float = 60.0) -> bool:
        with self.cond:
            return self.cond.wait_for(predicate, timeout=timeout)

    def _slots(self, job: FakeJob, sig: str = "x") -> list[dict[str, Any]]:
        # generate: one slot per image; train/edit: slot 0 the adapter file, then the images
        if job.kind == "train":
            types = ["application/octet-stream"] + ["image/png"] * int(job.params.get("num_samples", 2))
        elif job.kind == "edit":
            types = ["application/octet-stream"] + ["image/png"] * int(job.params.get("num_images", 1))
        else:
            types = ["image/png"] * int(job.params.get("num_images", 1))
        return [{"key": f"outputs/{job.id}/{i}.{'png' if t == 'image/png' else 'safetensors'}",
                 "upload_url": f"{self.url}/upload/{job.id}/{i}?sig={sig}",
                 "content_type": t, "headers": {"x-job-id": job.id}} for i, t in enumerate(types)]

    def _lease_json(self, job: FakeJob) -> dict[str, Any]:
        return {"job": {
            "id": job.id, "lease_id": job.lease_id, "kind": job.kind, "attempt": job.attempts,
            "params": job.params,
            "inputs": {name: {"url": f"{self.url}/files/{job.id}/{name}?sig=abc",
                              "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
                       for name, data in job.inputs.items()},
            "outputs": self._slots(job),
            "lease_expires_at": (datetime.now(UTC) + timedelta(minutes=1)).isoformat(),
            "heartbeat_interval_s": 0.2,
        }}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        app = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _send(self, status: int, body: dict[str, Any] | None = None) -> None:
                data = json.dumps(body).encode() if body is not None else b""
                self.send_response(status)
                if body is not None:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _body(self) -> bytes:
                return self.rfile.read(int(self.headers.get("Content-Length", "0")))

            def do_GET(self) -> None:
                parts = self.path.split("?")[0].strip("/").split("/")
                if parts[0] == "files" and "Authorization" not in self.headers:
                    data = app.jobs[parts[1]].inputs[parts[2]]
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                self._send(404, {"error": {"code": "not_found", "message": self.path}})

            def do_PUT(self) -> None:
                parts = self.path.split("?")[0].strip("/").split("/")
                data = self._body()
                with app.cond:
                    app.upload_paths.append(self.path)
                    status = app.upload_replies.popleft() if app.upload_replies else 200
                    if status in (200, 500):  # a 500 after storing: the response was lost
                        app.uploads["/".join(parts[1:])] = (data, dict(self.headers))
                    app.cond.notify_all()
                self._send(status, {})

            def do_POST(self) -> None:
                if self.headers.get("Authorization") != f"Bearer {app.token}":
                    self._send(401, {"error": {"code": "unauthorized", "message": "bad token"}})
                    return
                path = self.path.removeprefix(API_PREFIX).strip("/").split("/")
                raw = self._body()
                if path == ["lease"]:
                    self._lease(LeaseRequest.model_validate_json(raw))
                    return
                job = app.jobs.get(path[1])
                if job is None:
                    self._send(404, {"error": {"code": "not_found", "message": path[1]}})
                    return
                models = {"heartbeat": HeartbeatRequest, "complete": CompleteRequest, "fail": FailRequest,
                          "release": ReleaseRequest}
                body = models[path[2]].model_validate_json(raw)
                with app.cond:
                    app.calls.append((path[2], job.id))
                    if body.lease_id != job.lease_id:
                        app.cond.notify_all()
                        self._send(409, {"error": {"code": "lease_lost", "message": "stale lease"}})
                        return
                    self._transition(job, path[2], json.loads(raw))
                    app.cond.notify_all()

            def _lease(self, req: LeaseRequest) -> None:
                with app.cond:
                    app.calls.append(("lease", req.worker_id))
                    app.cond.notify_all()
                    if app.lease_errors > 0:
                        app.lease_errors -= 1
                        self._send(503, {"error": {"code": "unavailable", "message": "try later"}})
                        return
                    app.cond.wait_for(lambda: bool(app.queue), timeout=req.wait_s)
                    if not app.queue:
                        self._send(204)
                        return
                    job = app.jobs[app.queue.popleft()]
                    job.state, job.lease_id, job.attempts = "leased", uuid.uuid4().hex, job.attempts + 1
                    app.cond.notify_all()
                    self._send(200, app._lease_json(job))

            def _transition(self, job: FakeJob, action: str, body: dict[str, Any]) -> None:
                expires = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()
                if action == "heartbeat":
                    job.heartbeats.append(body)
                    reply: dict[str, Any] = {"cancel": job.cancel, "lease_expires_at": expires}
                    if app.fresh_upload_urls and body["progress"]["stage"] == "uploading":
                        reply["outputs"] = app._slots(job, sig="fresh")
                    self._send(200, reply)
                elif action == "complete" and app.complete_replies:
                    status, problem = app.complete_replies.popleft()
                    self._send(status, problem)
                elif action == "complete":
                    job.state, job.result = "succeeded", body
                    self._send(200, {"status": "succeeded"})
                elif action == "fail":
                    job.state, job.result = ("canceled" if job.cancel else "failed"), body
                    self._send(200, {"status": job.state})
                else:
                    job.state, job.result, job.lease_id = "queued", body, None
                    app.queue.append(job.id)
                    self._send(200, {"status": "queued"})

        return Handler
