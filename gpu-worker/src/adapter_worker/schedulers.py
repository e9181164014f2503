"""Scheduler names users pick, mapped to diffusers classes built from the base model's config."""

from __future__ import annotations

from typing import Any

from diffusers import (
    DDIMScheduler,
    DPMSolverMultistepScheduler,
    EulerAncestralDiscreteScheduler,
    EulerDiscreteScheduler,
    PNDMScheduler,
    UniPCMultistepScheduler,
)
from diffusers.schedulers.scheduling_utils import SchedulerMixin

from .params import SchedulerName

_FACTORIES: dict[str, tuple[Any, dict[str, Any]]] = {
    "euler_a": (EulerAncestralDiscreteScheduler, {}),
    "euler": (EulerDiscreteScheduler, {}),
    # "DPM++ 2M Karras" in A1111/ComfyUI terms.
    "dpmpp_2m_karras": (DPMSolverMultistepScheduler, {"algorithm_type": "dpmsolver++", "solver_order": 2,
                                                      "use_karras_sigmas": True}),
    "dpmpp_2m": (DPMSolverMultistepScheduler, {"algorithm_type": "dpmsolver++", "solver_order": 2}),
    "ddim": (DDIMScheduler, {}),
    "unipc": (UniPCMultistepScheduler, {}),
    "pndm": (PNDMScheduler, {}),
}


def make_scheduler(name: SchedulerName, base_config: Any) -> SchedulerMixin:
    """A fresh scheduler per job: schedulers keep step state, so sharing one would leak it."""
    cls, overrides = _FACTORIES[name]
    scheduler: SchedulerMixin = cls.from_config(base_config, **overrides)
    return scheduler
