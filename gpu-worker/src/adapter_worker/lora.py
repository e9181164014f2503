"""LoRA (Hu et al.): W + (alpha/r)·B·A on the attention projections, several at once, per job.

diffusers converts kohya files (`lora_unet_*`, `lora_te_*`, `.alpha`) and loads everything into
peft layers; this module checks a file's keys against the model first (peft would otherwise skip
unknown keys with a log line and the user would get a silently different image), attaches the
job's LoRAs with their weights, and removes them when the job ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import torch
from diffusers import StableDiffusionPipeline
from diffusers.utils import convert_state_dict_to_diffusers, convert_state_dict_to_peft, convert_unet_state_dict_to_peft

from .errors import LoraMismatch

_LORA_SUFFIXES = (".lora_A.", ".lora_B.", ".lora_magnitude_vector", ".alpha")


@dataclass(frozen=True)
class LoadedLora:
    name: str  # file name as the job gave it, for messages
    digest: str
    state: dict[str, torch.Tensor]
    weight: float


def _module_of(key: str) -> str:
    for suffix in _LORA_SUFFIXES:
        if suffix in key:
            return key.split(suffix)[0]
    return key


def unmatched_lora_keys(pipe: StableDiffusionPipeline, state: dict[str, torch.Tensor]) -> list[str]:
    """Layers a LoRA targets (named after diffusers' own format conversion) that the pipeline's
    models do not have."""
    try:
        converted = pipe.lora_state_dict(dict(state))[0]  # it pops from its argument: pass a copy
    except (ValueError, KeyError, IndexError) as err:
        return [f"<unreadable LoRA layout: {err}>"]
    if not any(k.startswith(("unet.", "text_encoder.")) for k in converted):
        converted = {f"unet.{k}": v for k, v in converted.items()}  # legacy un-prefixed UNet files
    unet_sd = {k.removeprefix("unet."): v for k, v in converted.items() if k.startswith("unet.")}
    te_sd = {k.removeprefix("text_encoder."): v for k, v in converted.items() if k.startswith("text_encoder.")}
    other = sorted(k for k in converted if not k.startswith(("unet.", "text_encoder.")))

    unet_modules = {n for n, _ in pipe.unet.named_modules()}
    bad = [f"unet.{_module_of(k)}" for k in convert_unet_state_dict_to_peft(unet_sd)
           if _module_of(k) not in unet_modules]
    if te_sd:
        te = convert_state_dict_to_peft(convert_state_dict_to_diffusers(te_sd))
        te_modules = {n for n, _ in pipe.text_encoder.named_modules()}
        flat = not hasattr(pipe.text_encoder, "text_model")  # transformers 5 dropped that level
        for k in te:
            module = _module_of(k.removeprefix("text_model.") if flat else k)
            if module not in te_modules:
                bad.append(f"text_encoder.{module}")
    return sorted(set(other + bad))


def check_lora(pipe: StableDiffusionPipeline, name: str, state: dict[str, torch.Tensor]) -> None:
    if not state:
        raise LoraMismatch(f"LoRA {name} holds no tensors")
    bad = unmatched_lora_keys(pipe, state)
    if bad:
        shown = ", ".join(bad[:20]) + (f", ... ({len(bad) - 20} more)" if len(bad) > 20 else "")
        raise LoraMismatch(f"LoRA {name}: {len(bad)} layer(s) it targets do not exist in the base model: {shown}")


@contextmanager
def loras_attached(pipe: StableDiffusionPipeline, loras: list[LoadedLora]) -> Iterator[list[str]]:
    """Load each LoRA as a peft adapter with its weight; delete them all when the job ends."""
    names: list[str] = []
    try:
        for i, lora in enumerate(loras):
            adapter = f"job{i}_{lora.digest[:12]}"
            # load_lora_weights copies a dict argument; the host-RAM copy stays intact for reuse.
            pipe.load_lora_weights(lora.state, adapter_name=adapter)
            names.append(adapter)
        if names:
            pipe.set_adapters(names, adapter_weights=[lo.weight for lo in loras])
        yield names
    finally:
        if names:
            pipe.delete_adapters(names)


def detach_all_loras(pipe: StableDiffusionPipeline) -> None:
    """Remove adapters left by anything (defensive reset at job start)."""
    leftover = set()
    for model in (pipe.unet, pipe.text_encoder):
        config = getattr(model, "peft_config", None) or {}
        leftover.update(config)
    if leftover:
        pipe.delete_adapters(sorted(leftover))
