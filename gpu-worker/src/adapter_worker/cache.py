"""Keeps models resident between jobs: an LRU bounded by bytes, and host-RAM LoRA weights.

Pipelines (one per base model), ControlNets, T2I-Adapters and image encoders share one budget.
Models the running job uses are pinned so a later load in the same job cannot evict them.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import torch

from .loaders import read_safetensors

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class _Slot:
    value: Any
    nbytes: int


class ModelCache:
    def __init__(self, budget_bytes: int) -> None:
        self.budget_bytes = budget_bytes
        self._slots: OrderedDict[str, _Slot] = OrderedDict()
        self._pinned: set[str] = set()
        self._lock = threading.Lock()
        self.loads = 0  # how many cache misses loaded a model (tests and metrics read it)

    @property
    def resident_bytes(self) -> int:
        return sum(s.nbytes for s in self._slots.values())

    def keys(self) -> list[str]:
        return list(self._slots)

    def get(self, key: str, load: Callable[[], T], size: Callable[[T], int]) -> T:
        with self._lock:
            slot = self._slots.get(key)
            if slot is not None:
                self._slots.move_to_end(key)
                self._pinned.add(key)
                return slot.value
        value = load()
        nbytes = size(value)
        with self._lock:
            self.loads += 1
            self._slots[key] = _Slot(value, nbytes)
            self._pinned.add(key)
            self._evict()
        log.info("loaded %s (%.1f MB); cache holds %.1f MB", key, nbytes / 1e6, self.resident_bytes / 1e6)
        return value

    def put(self, key: str, value: object, nbytes: int) -> None:
        """Make a model resident without loading it (benchmarks build models in memory)."""
        with self._lock:
            self._slots[key] = _Slot(value, nbytes)
            self._evict()

    def _evict(self) -> None:
        evicted = False
        for key in list(self._slots):
            if self.resident_bytes <= self.budget_bytes:
                break
            if key in self._pinned:
                continue
            del self._slots[key]
            evicted = True
            log.info("evicted %s from the model cache", key)
        if evicted:
            gc.collect()
            if torch.cuda.is_available():
                torch.cuda.empty_cache()

    @contextmanager
    def job_scope(self) -> Iterator[None]:
        """Pin what a job loads until it ends; then evict down to the budget."""
        try:
            yield
        finally:
            with self._lock:
                self._pinned.clear()
                self._evict()


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class LoraStore:
    """LoRA state dicts kept on the host, keyed by content hash.

    The same user file arrives under a new signed URL each job; hashing lets repeat jobs skip
    parsing, and loading from a dict into the pipeline's peft layers never reloads the pipeline.
    """

    def __init__(self, budget_bytes: int = 2 << 30) -> None:
        self.budget_bytes = budget_bytes
        self._items: OrderedDict[str, dict[str, torch.Tensor]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, path: Path) -> tuple[str, dict[str, torch.Tensor]]:
        digest = file_digest(path)
        with self._lock:
            if digest in self._items:
                self._items.move_to_end(digest)
                return digest, self._items[digest]
        state = read_safetensors(path, "LoRA")
        with self._lock:
            self._items[digest] = state
            while len(self._items) > 1 and self._bytes() > self.budget_bytes:
                self._items.popitem(last=False)
        return digest, state

    def _bytes(self) -> int:
        return sum(t.numel() * t.element_size() for sd in self._items.values() for t in sd.values())

    def __len__(self) -> int:
        return len(self._items)
