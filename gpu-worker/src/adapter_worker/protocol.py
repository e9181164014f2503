"""Wire types of worker protocol v1 (docs/worker-protocol.md is the contract; keep them in step).

Requests the worker sends are strict (extra="forbid"): the app can rely on exactly these fields.
Responses it reads ignore unknown fields, so the app may add fields within v1 without breaking
deployed workers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

PROTOCOL_VERSION = 1
API_PREFIX = "/api/worker/v1"

Stage = Literal["downloading", "loading", "denoising", "uploading"]
JobKind = Literal["generate", "train", "edit", "train_xadapter"]
OutputContentType = Literal["image/png", "application/octet-stream"]
FailCode = Literal["internal", "invalid_input", "lora_mismatch", "model_not_found", "model_invalid",
                   "input_unavailable", "out_of_memory", "cancelled"]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Response(BaseModel):
    model_config = ConfigDict(extra="ignore")


# -- lease --------------------------------------------------------------------------------------
class Capabilities(_Request):
    kinds: list[str]
    base_models: list[str]
    controlnets: list[str]  # "<family>/<control type>"
    t2i_adapters: list[str]
    ip_adapters: list[str]
    x_adapters: list[str] = []  # usable X-Adapter entries (file present, both bases configured)


class DeviceInfo(_Request):
    type: str  # "cuda" | "cpu"
    name: str
    memory_bytes: int | None = None


class LeaseRequest(_Request):
    worker_id: str = Field(min_length=1, max_length=128)
    worker_version: str
    protocol_version: Literal[1] = PROTOCOL_VERSION
    capabilities: Capabilities
    device: DeviceInfo
    wait_s: int = Field(ge=0, le=60)


class InputFile(_Response):
    url: str  # signed GET URL
    sha256: str | None = None
    bytes: int | None = None


class OutputSlot(_Response):
    key: str  # storage key the app will know the file by
    upload_url: str  # signed PUT URL
    content_type: str = "image/png"
    headers: dict[str, str] = Field(default_factory=dict)  # extra headers the PUT must carry


class LeasedJob(_Response):
    id: str
    lease_id: str
    kind: JobKind
    attempt: int = 1
    params: dict[str, Any]
    inputs: dict[str, InputFile] = Field(default_factory=dict)
    outputs: list[OutputSlot]
    lease_expires_at: datetime
    heartbeat_interval_s: float = Field(5.0, gt=0)


class LeaseResponse(_Response):
    job: LeasedJob


# -- heartbeat ----------------------------------------------------------------------------------
class ProgressBody(_Request):
    stage: Stage
    step: int = Field(ge=0)
    total: int = Field(ge=0)


class HeartbeatRequest(_Request):
    lease_id: str
    progress: ProgressBody
    preview_png_base64: str | None = None


class HeartbeatResponse(_Response):
    cancel: bool = False
    lease_expires_at: datetime
    # Fresh upload URLs for the lease's slots, sent on a heartbeat in the `uploading` stage
    # (signed URLs expire with the lease's TTL; the lease's own may be old by upload time).
    outputs: list[OutputSlot] | None = None


# -- complete / fail / release ------------------------------------------------------------------
class OutputResult(_Request):
    key: str
    content_type: OutputContentType = "image/png"
    width: int | None = None  # images; null for an adapter file
    height: int | None = None
    bytes: int
    sha256: str
    seed: int | None = None


class CompleteRequest(_Request):
    lease_id: str
    outputs: list[OutputResult]
    metadata: dict[str, Any]


class ErrorBody(_Request):
    code: FailCode
    message: str = Field(max_length=4000)
    retryable: bool


class FailRequest(_Request):
    lease_id: str
    error: ErrorBody


class ReleaseRequest(_Request):
    lease_id: str
    reason: Literal["shutdown", "capability_lost"]


class AckResponse(_Response):
    status: str  # "succeeded" | "failed" | "queued" | "canceled"
