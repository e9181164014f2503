"""The one place that decides device, dtype and how much model memory the cache may hold."""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch

_DTYPES = {"fp16": torch.float16, "bf16": torch.bfloat16, "fp32": torch.float32}


@dataclass(frozen=True)
class DeviceSpec:
    device: torch.device
    dtype: torch.dtype

    @property
    def is_cuda(self) -> bool:
        return self.device.type == "cuda"


def select_device(device: str | None = None, dtype: str | None = None) -> DeviceSpec:
    """CUDA (fp16 unless ADAPTER_WORKER_DTYPE says bf16/fp32) when present, else CPU in fp32.

    fp16 on CPU is slow and lossy, so the CPU dtype is always fp32.
    """
    name = device or os.environ.get("ADAPTER_WORKER_DEVICE") or ("cuda" if torch.cuda.is_available() else "cpu")
    dev = torch.device(name)
    if dev.type == "cpu":
        # Denormal floats run 10-20x slower on x86; flushing them to zero changes nothing a
        # picture can show (they are below 1e-38) and makes random-weight models usable on CPU.
        torch.set_flush_denormal(True)
        return DeviceSpec(dev, torch.float32)
    wanted = (dtype or os.environ.get("ADAPTER_WORKER_DTYPE") or "fp16").lower()
    if wanted not in _DTYPES:
        raise ValueError(f"ADAPTER_WORKER_DTYPE={wanted!r}; expected one of {sorted(_DTYPES)}")
    return DeviceSpec(dev, _DTYPES[wanted])


def cache_budget_bytes(spec: DeviceSpec) -> int:
    """Bytes of weights the model cache may keep resident (env ADAPTER_WORKER_CACHE_BYTES wins).

    On CUDA 80% of the card, leaving room for activations; on CPU half of physical RAM.
    """
    env = os.environ.get("ADAPTER_WORKER_CACHE_BYTES")
    if env:
        return int(env)
    if spec.is_cuda:
        total = torch.cuda.get_device_properties(spec.device).total_memory
        return int(total * 0.8)
    pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    return int(pages * 0.5)


def module_bytes(*modules: torch.nn.Module | None) -> int:
    """Parameter + buffer bytes, the size the cache accounts a model at."""
    total = 0
    for m in modules:
        if m is None:
            continue
        total += sum(p.numel() * p.element_size() for p in m.parameters())
        total += sum(b.numel() * b.element_size() for b in m.buffers())
    return total
