"""IP-Adapter references: image embeddings, and decoupled cross-attention attached for one job.

Each reference is attached as its own IP-Adapter instance (the same weights, loaded once per
reference), so each gets its own scale: out = Attn(Q,Kt,Vt) + sum_i w_i * Attn(Q,Ki,Vi). That is
the per-image weight of the product; diffusers' multi-adapter support does the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import torch
from diffusers import StableDiffusionPipeline

from .device import DeviceSpec
from .errors import InvalidInput
from .images import load_embeds, load_image
from .loaders import ImageEncoder, IPAdapterWeights, check_encoder_fits
from .params import Reference


def _shape_embeds(t: torch.Tensor, weights: IPAdapterWeights, what: str) -> torch.Tensor:
    """Normalise to [1, 1, dim] (base) or [1, 1, tokens, dim] (plus), checking the width."""
    want_ndim = 1 if weights.variant == "base" else 2
    sent = list(t.shape)
    while t.ndim > want_ndim and t.shape[0] == 1:
        t = t[0]
    if t.ndim != want_ndim or t.shape[-1] != weights.embed_dim or t.numel() == 0:
        raise InvalidInput(f"{what} of shape {sent} does not fit IP-Adapter {weights.path.name} "
                           f"({weights.variant}), which expects {weights.expected_embeds_shape()}")
    return t[None, None]


@torch.inference_mode()
def encode_reference(encoder: ImageEncoder, weights: IPAdapterWeights, path: Path, what: str,
                     spec: DeviceSpec) -> tuple[torch.Tensor, torch.Tensor]:
    """(positive, negative) embeddings exactly as diffusers' `encode_image` computes them."""
    check_encoder_fits(weights, encoder)
    image = load_image(path, what)
    pixels = encoder.processor(image, return_tensors="pt").pixel_values.to(spec.device, spec.dtype)
    if weights.variant == "base":
        pos = encoder.model(pixels).image_embeds[0]
        return pos[None, None], torch.zeros_like(pos)[None, None]
    pos = encoder.model(pixels, output_hidden_states=True).hidden_states[-2][0]
    neg = encoder.model(torch.zeros_like(pixels), output_hidden_states=True).hidden_states[-2][0]
    return pos[None, None], neg[None, None]


def reference_embeds(
    refs: list[Reference], inputs: Mapping[str, Path], weights: IPAdapterWeights,
    get_encoder: Callable[[], ImageEncoder], spec: DeviceSpec, do_cfg: bool,
) -> list[torch.Tensor]:
    """One tensor per reference in the layout `ip_adapter_image_embeds` takes ([neg; pos] with CFG).

    The encoder is fetched only if some reference is an image: precomputed embeddings skip it.
    """
    out: list[torch.Tensor] = []
    for i, ref in enumerate(refs):
        what = f"references[{i}]"
        if ref.image is not None:
            pos, neg = encode_reference(get_encoder(), weights, inputs[ref.image], what, spec)
        else:
            assert ref.image_embeds is not None  # noqa: S101 - guaranteed by Reference's validator
            raw_pos, raw_neg = load_embeds(inputs[ref.image_embeds], what)
            pos = _shape_embeds(raw_pos, weights, f"{what}: image_embeds")
            if raw_neg is not None:
                neg = _shape_embeds(raw_neg, weights, f"{what}: negative_image_embeds")
                if neg.shape != pos.shape:
                    raise InvalidInput(f"{what}: negative_image_embeds of shape {list(raw_neg.shape)} must have the "
                                       f"shape of image_embeds {list(raw_pos.shape)}")
            elif weights.variant == "base":
                neg = torch.zeros_like(pos)  # what diffusers uses as the unconditional image embedding
            else:
                raise InvalidInput(f"{what}: Plus embeddings need `negative_image_embeds` too (the encoder's "
                                   "penultimate hidden states for an all-zeros pixel_values tensor, shape "
                                   f"{weights.expected_embeds_shape()}); the worker does not load the encoder for them")
        pos, neg = pos.to(spec.device, spec.dtype), neg.to(spec.device, spec.dtype)
        out.append(torch.cat([neg, pos]) if do_cfg else pos)
    return out


@contextmanager
def ip_adapter_attached(pipe: StableDiffusionPipeline, weights: IPAdapterWeights, scales: list[float]
                        ) -> Iterator[None]:
    """Attach one IP-Adapter instance per reference for the duration of a job, then restore the
    UNet's original attention processors (so the next job starts from the plain model)."""
    n = len(scales)
    # Shallow copies: the loader must not keep or alter the cached tensors' containers.
    states = [{"image_proj": dict(weights.state["image_proj"]), "ip_adapter": dict(weights.state["ip_adapter"])}
              for _ in range(n)]
    pipe.load_ip_adapter(states, subfolder=[""] * n, weight_name=[""] * n,  # type: ignore[arg-type]
                         image_encoder_folder=None)
    try:
        pipe.set_ip_adapter_scale(list(scales))
        yield
    finally:
        detach_ip_adapter(pipe)


def detach_ip_adapter(pipe: StableDiffusionPipeline) -> None:
    if getattr(pipe.unet, "encoder_hid_proj", None) is not None:
        pipe.unload_ip_adapter()
