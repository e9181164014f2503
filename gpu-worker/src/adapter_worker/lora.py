"""LoRA (Hu et al.): W + (alpha/r)·B·A on the attention projections, several at once, per job.

diffusers converts kohya files (`lora_unet_*`, `lora_te_*`, `.alpha`) and loads everything into
peft layers; this module checks a file's keys against the model first (peft would otherwise skip
unknown keys with a log line and the user would get a silently different image), attaches the
job's LoRAs with their weights, and removes them when the job ends.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import torch
from diffusers import StableDiffusionPipeline
from diffusers.utils import convert_state_dict_to_diffusers, convert_state_dict_to_peft, convert_unet_state_dict_to_peft

from .errors import LoraMismatch
from .registry import Family

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


_SDXL_SIGNS = (
    (re.compile(r"^lora_te2_|^text_encoder_2\."), "keys for a second text encoder (lora_te2_ / text_encoder_2)"),
    (re.compile(r"input_blocks|output_blocks|middle_block"), "kohya SDXL block names (input_blocks/output_blocks)"),
    (re.compile(r"up_blocks[._]0[._]attentions"), "attention in the first decoder block (up_blocks.0)"),
    (re.compile(r"transformer_blocks[._][1-9]"), "stacked transformer blocks (transformer_blocks.1+)"),
    (re.compile(r"add_embedding"), "the text_time add_embedding"),
)
_SD15_SIGNS = (
    (re.compile(r"down_blocks[._]0[._]attentions"), "attention in the first encoder block (down_blocks.0)"),
    (re.compile(r"up_blocks[._]3[._]"), "a fourth decoder block (up_blocks.3)"),
)


def lora_family(state: dict[str, torch.Tensor]) -> tuple[Family | None, str]:
    """The family a LoRA file was trained for, from its key layout (and the reason), or None when
    the keys do not say (e.g. a text-encoder-only file) or contradict each other.

    SDXL: a second text encoder (`lora_te2_`, `text_encoder_2.`), kohya's SGM block names, attention
    in `up_blocks.0`, stacked transformer blocks, or cross-attention keys 2048 wide. SD 1.5:
    attention in `down_blocks.0`, an `up_blocks.3`, or 768-wide cross-attention keys."""
    found: dict[Family, str] = {}
    for key, value in state.items():
        for pattern, why in _SDXL_SIGNS:
            if "sdxl" not in found and pattern.search(key):
                found["sdxl"] = why
        for pattern, why in _SD15_SIGNS:
            if "sd15" not in found and pattern.search(key):
                found["sd15"] = why
        if re.search(r"attn2[._]to_k.*(lora_A|lora_down)", key) and value.ndim == 2:
            width = int(value.shape[1])
            fam: Family | None = {768: "sd15", 2048: "sdxl"}.get(width)  # type: ignore[assignment]
            if fam and fam not in found:
                found[fam] = f"{width}-wide cross-attention"
    if len(found) == 1:
        (fam_found, why), = found.items()
        return fam_found, why
    return None, "; ".join(f"{f}: {w}" for f, w in found.items()) or "no family-specific keys"


def unmatched_lora_keys(pipe: StableDiffusionPipeline, state: dict[str, torch.Tensor]) -> list[str]:
    """Layers a LoRA targets (named after diffusers' own format conversion) that the pipeline's
    models do not have."""
    try:
        # it pops from its argument: pass a copy; unet_config maps kohya SDXL (SGM) block names
        converted = pipe.lora_state_dict(dict(state), unet_config=pipe.unet.config)[0]
    except (ValueError, KeyError, IndexError) as err:
        return [f"<unreadable LoRA layout: {err}>"]
    roots = ("unet.", "text_encoder.", "text_encoder_2.")
    if not any(k.startswith(roots) for k in converted):
        converted = {f"unet.{k}": v for k, v in converted.items()}  # legacy un-prefixed UNet files
    unet_sd = {k.removeprefix("unet."): v for k, v in converted.items() if k.startswith("unet.")}
    other = sorted(k for k in converted if not k.startswith(roots))

    unet_modules = {n for n, _ in pipe.unet.named_modules()}
    bad = [f"unet.{_module_of(k)}" for k in convert_unet_state_dict_to_peft(unet_sd)
           if _module_of(k) not in unet_modules]
    for root in ("text_encoder", "text_encoder_2"):
        te_sd = {k.removeprefix(f"{root}."): v for k, v in converted.items() if k.startswith(f"{root}.")}
        if not te_sd:
            continue
        encoder: Any = getattr(pipe, root, None)
        if encoder is None:
            bad.extend(f"{root}.{_module_of(k)}" for k in te_sd)
            continue
        te = convert_state_dict_to_peft(convert_state_dict_to_diffusers(te_sd))
        te_modules = {n for n, _ in encoder.named_modules()}
        flat = not hasattr(encoder, "text_model")  # transformers 5 dropped that level
        for k in te:
            module = _module_of(k.removeprefix("text_model.") if flat else k)
            if module not in te_modules:
                bad.append(f"{root}.{module}")
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
    for model in (pipe.unet, pipe.text_encoder, getattr(pipe, "text_encoder_2", None)):
        config = getattr(model, "peft_config", None) or {}
        leftover.update(config)
    if leftover:
        pipe.delete_adapters(sorted(leftover))
