"""HTTP client for worker protocol v1: lease, heartbeat, complete, fail, release, and the signed
URL transfers. Network trouble becomes `TransientError` (the loop backs off and retries); a 409
becomes `LeaseLost` (another worker owns the job now: stop touching it)."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import httpx
from pydantic import BaseModel

from .errors import InputUnavailable
from .protocol import (
    API_PREFIX,
    AckResponse,
    CompleteRequest,
    FailRequest,
    HeartbeatRequest,
    HeartbeatResponse,
    LeasedJob,
    LeaseRequest,
    LeaseResponse,
    ReleaseRequest,
)

MAX_INPUT_BYTES = 256 * 1024 * 1024


class TransientError(Exception):
    """The server or network failed in a way worth retrying (connection, timeout, 429, 5xx)."""


class LeaseLost(Exception):
    """409: the lease expired or the job was re-leased; this worker must drop the job."""


class ProtocolError(Exception):
    """The server rejected a request as malformed or unauthorised (4xx other than 409/429)."""


class UnsupportedProtocol(Exception):
    """426: the app no longer serves this protocol version; the worker must be upgraded."""


class Backoff:
    """Exponential backoff with full jitter, capped (as AWS recommends for retry storms)."""

    def __init__(self, base_s: float = 0.5, cap_s: float = 30.0) -> None:
        self.base_s, self.cap_s, self.attempt = base_s, cap_s, 0

    def next_delay(self) -> float:
        self.attempt += 1
        return random.uniform(0, min(self.cap_s, self.base_s * 2 ** self.attempt))  # noqa: S311 - jitter only

    def reset(self) -> None:
        self.attempt = 0


class WorkerClient:
    def __init__(self, server: str, token: str, timeout_s: float = 30.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        self._api = httpx.Client(base_url=server.rstrip("/") + API_PREFIX, timeout=timeout_s, transport=transport,
                                 headers={"Authorization": f"Bearer {token}", "User-Agent": "adapter-worker/1"})
        # Signed URLs carry their own auth: never send the worker token to storage.
        self._files = httpx.Client(timeout=timeout_s, follow_redirects=True, transport=transport)

    def close(self) -> None:
        self._api.close()
        self._files.close()

    def _post(self, path: str, body: BaseModel, timeout_s: float | None = None) -> httpx.Response:
        try:
            resp = self._api.post(path, content=body.model_dump_json(), timeout=timeout_s,
                                  headers={"Content-Type": "application/json"})
        except httpx.TransportError as err:
            raise TransientError(f"POST {path}: {err!r}") from err
        if resp.status_code == 426:
            raise UnsupportedProtocol(f"POST {path}: the server no longer speaks worker protocol v1")
        if resp.status_code == 409:
            raise LeaseLost(f"POST {path}: {resp.text[:300]}")
        if resp.status_code == 429 or resp.status_code >= 500:
            raise TransientError(f"POST {path}: HTTP {resp.status_code} {resp.text[:300]}")
        if resp.status_code >= 400:
            raise ProtocolError(f"POST {path}: HTTP {resp.status_code} {resp.text[:300]}")
        return resp

    def lease(self, request: LeaseRequest) -> LeasedJob | None:
        # The server holds the request up to wait_s; allow that plus the normal timeout.
        resp = self._post("/lease", request, timeout_s=request.wait_s + 30.0)
        if resp.status_code == 204:
            return None
        return LeaseResponse.model_validate_json(resp.content).job

    def heartbeat(self, job_id: str, body: HeartbeatRequest) -> HeartbeatResponse:
        return HeartbeatResponse.model_validate_json(self._post(f"/jobs/{job_id}/heartbeat", body).content)

    def complete(self, job_id: str, body: CompleteRequest) -> AckResponse:
        return AckResponse.model_validate_json(self._post(f"/jobs/{job_id}/complete", body).content)

    def fail(self, job_id: str, body: FailRequest) -> AckResponse:
        return AckResponse.model_validate_json(self._post(f"/jobs/{job_id}/fail", body).content)

    def release(self, job_id: str, body: ReleaseRequest) -> AckResponse:
        return AckResponse.model_validate_json(self._post(f"/jobs/{job_id}/release", body).content)

    def download(self, url: str, dest: Path, name: str, sha256: str | None = None) -> None:
        """Stream a signed GET URL to disk, bounded in size and checked against its hash."""
        digest, size = hashlib.sha256(), 0
        try:
            with self._files.stream("GET", url) as resp:
                if resp.status_code != 200:
                    retry = resp.status_code == 429 or resp.status_code >= 500
                    raise InputUnavailable(f"input {name!r}: download returned HTTP {resp.status_code}",
                                           retryable=retry)
                with dest.open("wb") as f:
                    for chunk in resp.iter_bytes():
                        size += len(chunk)
                        if size > MAX_INPUT_BYTES:
                            raise InputUnavailable(f"input {name!r} is larger than {MAX_INPUT_BYTES} bytes",
                                                   retryable=False)
                        digest.update(chunk)
                        f.write(chunk)
        except httpx.TransportError as err:
            raise InputUnavailable(f"input {name!r}: download failed: {err!r}") from err
        if sha256 and digest.hexdigest() != sha256.lower():
            raise InputUnavailable(f"input {name!r}: sha256 {digest.hexdigest()} does not match {sha256}",
                                   retryable=False)

    def upload(self, url: str, data: bytes, content_type: str, headers: dict[str, str]) -> None:
        """PUT one output to its signed URL. Slots are write-once: 409/412 on a retry means an
        earlier attempt stored the file (its response was lost), and `complete` verifies it. 403
        means the link ended with the lease: not retried."""
        try:
            resp = self._files.put(url, content=data, headers={"Content-Type": content_type, **headers})
        except httpx.TransportError as err:
            raise TransientError(f"upload failed: {err!r}") from err
        if resp.status_code in (409, 412):
            return
        if resp.status_code == 429 or resp.status_code >= 500:
            raise TransientError(f"upload returned HTTP {resp.status_code} {resp.text[:200]}")
        if resp.status_code >= 300:
            raise ProtocolError(f"upload refused: HTTP {resp.status_code} {resp.text[:200]}")
