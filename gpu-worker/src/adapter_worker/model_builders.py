"""Random-weight models of a given architecture, as the real library classes.

Used by the tiny factory (saved to disk, then loaded back through the production loaders) and by
the benchmark (full SD 1.5 shapes, kept in memory). Every builder seeds torch itself, so one
seed gives the same weights whichever subset is built.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import diffusers
import torch
from diffusers import AutoencoderKL, ControlNetModel, T2IAdapter, UNet2DConditionModel
from transformers import (
    CLIPImageProcessor,
    CLIPTextConfig,
    CLIPTextModel,
    CLIPTextModelWithProjection,
    CLIPTokenizer,
    CLIPVisionConfig,
    CLIPVisionModelWithProjection,
)

from .arch_configs import ArchSet
from .tiny_tokenizer import write_tokenizer_files


def build_unet(arch: ArchSet, seed: int) -> UNet2DConditionModel:
    torch.manual_seed(seed)
    return UNet2DConditionModel(**arch.unet)


def build_vae(arch: ArchSet, seed: int) -> AutoencoderKL:
    torch.manual_seed(seed + 1)
    return AutoencoderKL(**arch.vae)


def build_tokenizer(folder: Path, pad_token: str | None = None) -> tuple[CLIPTokenizer, dict[str, int]]:
    """`pad_token="!"` mirrors SDXL's `tokenizer_2` (OpenCLIP pads with "!", id 0)."""
    ids = write_tokenizer_files(folder)
    if pad_token:
        tokenizer = CLIPTokenizer.from_pretrained(str(folder), model_max_length=77, pad_token=pad_token)
    else:
        tokenizer = CLIPTokenizer.from_pretrained(str(folder), model_max_length=77)
    return tokenizer, ids


def build_text_encoder(arch: ArchSet, seed: int, special_ids: dict[str, int]) -> CLIPTextModel:
    torch.manual_seed(seed + 2)
    config: dict[str, object] = {**arch.text_encoder, **special_ids}
    return CLIPTextModel(CLIPTextConfig(**config))  # pyright: ignore[reportArgumentType]


def build_text_encoder_2(arch: ArchSet, seed: int, special_ids: dict[str, int]) -> CLIPTextModelWithProjection:
    """SDXL's second text encoder (OpenCLIP bigG shapes): penultimate states + pooled projection."""
    assert arch.text_encoder_2 is not None, f"{arch.name}/{arch.family} has no second text encoder"  # noqa: S101
    torch.manual_seed(seed + 8)
    config: dict[str, object] = {**arch.text_encoder_2, **special_ids}
    return CLIPTextModelWithProjection(CLIPTextConfig(**config))  # pyright: ignore[reportArgumentType]


def build_scheduler(arch: ArchSet) -> Any:
    cls: Any = getattr(diffusers, arch.scheduler_class)
    return cls.from_config(arch.scheduler)


def build_controlnet(arch: ArchSet, seed: int) -> ControlNetModel:
    """A ControlNet whose zero convolutions are *not* zero.

    A freshly initialised ControlNet adds exactly nothing (that is the paper's point), so a test
    with one could never fail; trained ones are non-zero, and so are these.
    """
    torch.manual_seed(seed + 3)
    net = ControlNetModel(**arch.controlnet_extra)
    with torch.no_grad():
        zero_convs = [*net.controlnet_down_blocks, net.controlnet_mid_block,
                      net.controlnet_cond_embedding.conv_out]
        for conv in zero_convs:
            torch.nn.init.normal_(conv.weight, std=0.05)
            torch.nn.init.normal_(conv.bias, std=0.05)
    return net


def build_t2i_adapter(arch: ArchSet, seed: int) -> T2IAdapter:
    torch.manual_seed(seed + 4)
    return T2IAdapter(**arch.t2i_adapter)


def build_image_encoder(arch: ArchSet, seed: int) -> tuple[CLIPVisionModelWithProjection, CLIPImageProcessor]:
    torch.manual_seed(seed + 5)
    encoder = CLIPVisionModelWithProjection(CLIPVisionConfig(**arch.image_encoder))
    size = arch.image_encoder["image_size"]
    processor = CLIPImageProcessor(size={"shortest_edge": size}, crop_size={"height": size, "width": size})
    return encoder, processor


def cross_attention_hidden_sizes(unet: UNet2DConditionModel) -> list[int]:
    """Output width of every cross-attention (attn2) layer, in `attn_processors` order.

    The official IP-Adapter files number these layers 1, 3, 5, ... (odd slots of a list that
    also holds the self-attention processors); diffusers reads them back in the same order.
    """
    blocks = list(unet.config["block_out_channels"])
    sizes = []
    for name in unet.attn_processors:
        if name.endswith("attn1.processor"):
            continue
        if name.startswith("mid_block"):
            sizes.append(blocks[-1])
        elif name.startswith("up_blocks"):
            sizes.append(list(reversed(blocks))[int(name[len("up_blocks.")])])
        else:
            sizes.append(blocks[int(name[len("down_blocks.")])])
    return sizes


def build_ip_adapter_state(
    arch: ArchSet, unet: UNet2DConditionModel, variant: str, seed: int,
    encoder: dict[str, Any] | None = None,
) -> dict[str, torch.Tensor]:
    """IP-Adapter weights in the official flat key layout (`image_proj.*`, `ip_adapter.N.*`).

    base (ip-adapter_sd15): Linear(clip_proj_dim -> 4 tokens x cross_dim) + LayerNorm.
    plus (ip-adapter-plus_sd15): the Perceiver resampler over the encoder's penultimate hidden
    states: latents, proj_in, 4 x [PerceiverAttention(norm1, norm2, to_q, to_kv, to_out),
    FeedForward(LayerNorm, Linear x4, GELU, Linear)], proj_out, norm_out.
    SDXL: the same layouts (ip-adapter_sdxl over ViT-bigG; ip-adapter-plus_sdxl_vit-h, whose
    resampler is `arch.plus_dim` wide and projects to the 2048-wide cross-attention). `encoder`
    is the image encoder config it reads (default `arch.image_encoder`).
    """
    enc = encoder or arch.image_encoder
    gen = torch.Generator().manual_seed(seed + (6 if variant == "base" else 7))
    cross = int(unet.config["cross_attention_dim"])

    def rnd(*shape: int, std: float = 0.05) -> torch.Tensor:
        return torch.randn(*shape, generator=gen) * std

    sd: dict[str, torch.Tensor] = {}
    if variant == "base":
        clip_dim = int(enc["projection_dim"])
        sd["image_proj.proj.weight"] = rnd(4 * cross, clip_dim)
        sd["image_proj.proj.bias"] = rnd(4 * cross)
        sd["image_proj.norm.weight"] = torch.ones(cross)
        sd["image_proj.norm.bias"] = torch.zeros(cross)
    elif variant == "plus":
        enc_dim = int(enc["hidden_size"])
        dim, inner = arch.plus_dim or cross, arch.plus_heads * 64
        sd["image_proj.latents"] = rnd(1, arch.plus_queries, dim, std=dim**-0.5)
        sd["image_proj.proj_in.weight"] = rnd(dim, enc_dim)
        sd["image_proj.proj_in.bias"] = rnd(dim)
        sd["image_proj.proj_out.weight"] = rnd(cross, dim)
        sd["image_proj.proj_out.bias"] = rnd(cross)
        sd["image_proj.norm_out.weight"] = torch.ones(cross)
        sd["image_proj.norm_out.bias"] = torch.zeros(cross)
        for i in range(arch.plus_depth):
            p = f"image_proj.layers.{i}"
            for norm in ("0.norm1", "0.norm2", "1.0"):
                sd[f"{p}.{norm}.weight"] = torch.ones(dim)
                sd[f"{p}.{norm}.bias"] = torch.zeros(dim)
            sd[f"{p}.0.to_q.weight"] = rnd(inner, dim)
            sd[f"{p}.0.to_kv.weight"] = rnd(2 * inner, dim)
            sd[f"{p}.0.to_out.weight"] = rnd(dim, inner)
            sd[f"{p}.1.1.weight"] = rnd(4 * dim, dim)
            sd[f"{p}.1.3.weight"] = rnd(dim, 4 * dim)
    else:
        raise ValueError(f"unknown IP-Adapter variant {variant!r}; expected 'base' or 'plus'")
    for n, hidden in enumerate(cross_attention_hidden_sizes(unet)):
        sd[f"ip_adapter.{2 * n + 1}.to_k_ip.weight"] = rnd(hidden, cross, std=0.2)
        sd[f"ip_adapter.{2 * n + 1}.to_v_ip.weight"] = rnd(hidden, cross, std=0.2)
    return sd
