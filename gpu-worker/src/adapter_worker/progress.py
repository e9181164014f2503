"""Per-step progress, previews and cancellation, hooked in as diffusers' `callback_on_step_end`."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
from PIL import Image

from .errors import JobCancelled
from .previews import latents_to_preview


@dataclass(frozen=True)
class Progress:
    step: int  # steps finished
    total: int
    preview: Image.Image | None = None


class StepMonitor:
    """Reports progress after each denoising step and stops the job when asked.

    `cancel()` may be called from any thread (the heartbeat thread does); the flag is checked at
    the end of every step, so a job stops within one step of being cancelled.
    """

    def __init__(self, on_progress: Callable[[Progress], None] | None = None, preview_every: int = 5) -> None:
        self.on_progress = on_progress
        self.preview_every = preview_every
        self.step = 0  # steps finished in the current denoising loop; T2I windows read it
        self.total = 0
        self._cancel = threading.Event()
        self._reason = "cancelled"

    def cancel(self, reason: str = "cancelled") -> None:
        self._reason = reason
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        if self._cancel.is_set():
            raise JobCancelled(self._reason)

    def start(self, total: int) -> None:
        self.step, self.total = 0, total
        self.check()

    def advance(self, step: int, total: int) -> None:
        """Progress of a loop that is not a diffusers pipeline (training steps): report, then
        stop if cancelled."""
        self.step, self.total = step, total
        if self.on_progress is not None:
            self.on_progress(Progress(step, total))
        self.check()

    def __call__(self, pipe: Any, step_index: int, timestep: Any, callback_kwargs: dict[str, Any]
                 ) -> dict[str, Any]:
        self.step = step_index + 1
        preview = None
        if self.on_progress is not None:
            every = self.preview_every
            if every > 0 and (self.step % every == 0) and self.step < self.total:
                latents: torch.Tensor = callback_kwargs["latents"]
                preview = latents_to_preview(latents)
            self.on_progress(Progress(self.step, self.total, preview))
        self.check()
        return callback_kwargs
