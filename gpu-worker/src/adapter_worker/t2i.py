"""T2I-Adapter (Mou et al.) composed with any SD pipeline, IP-Adapter and LoRA included.

The adapter runs once per image; its multi-scale features are added to the UNet encoder through
the UNet's own `down_intrablock_additional_residuals` argument. diffusers' adapter pipeline for
SD 1.5 lacks IP-Adapter and LoRA support, so instead of forking it we hand the features to the
standard (or ControlNet) pipeline's UNet with a forward pre-hook that lives for one job.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from diffusers import T2IAdapter, UNet2DConditionModel
from PIL import Image

from .device import DeviceSpec
from .progress import StepMonitor


@dataclass
class AdapterFeatures:
    features: list[torch.Tensor]  # one per UNet down block, batch 1, already times `scale`
    start: float
    end: float

    def active(self, step: int, total: int) -> bool:
        # Same window rule as diffusers' ControlNet pipelines (control_guidance_start/end).
        return not (step / total < self.start or (step + 1) / total > self.end)


@torch.inference_mode()
def adapter_features(adapter: T2IAdapter, image: Image.Image, scale: float, start: float, end: float,
                     spec: DeviceSpec) -> AdapterFeatures:
    """Run the adapter on a condition map (pixels in [0, 1], as the adapters were trained)."""
    pixels = torch.from_numpy(np.asarray(image, dtype=np.float32) / 255.0).permute(2, 0, 1)[None]
    feats = adapter(pixels.to(spec.device, spec.dtype))
    return AdapterFeatures([f * scale for f in feats], start, end)


@contextmanager
def adapter_residuals(unet: UNet2DConditionModel, adapters: list[AdapterFeatures], monitor: StepMonitor
                      ) -> Iterator[None]:
    """Add the summed features of the adapters active at the current step to every UNet call."""
    if not adapters:
        yield
        return

    def pre_hook(_module: torch.nn.Module, args: tuple[Any, ...], kwargs: dict[str, Any]
                 ) -> tuple[tuple[Any, ...], dict[str, Any]]:
        sample = args[0] if args else kwargs["sample"]
        live = [a for a in adapters if a.active(monitor.step, max(monitor.total, 1))]
        if live:
            summed = [torch.stack(level).sum(0) for level in zip(*(a.features for a in live), strict=True)]
            # Batch is 2*num_images with CFG; every sample gets the same features, as in diffusers'
            # adapter pipeline. A fresh list each call: the UNet pops from it.
            kwargs["down_intrablock_additional_residuals"] = [
                f.expand(sample.shape[0], *f.shape[1:]).to(sample.dtype) for f in summed
            ]
        return args, kwargs

    handle = unet.register_forward_pre_hook(pre_hook, with_kwargs=True)
    try:
        yield
    finally:
        handle.remove()
