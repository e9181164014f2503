"""Load registry entries from local disk into the library classes, checking files and shapes first.

Every failure names the file and what was expected, so an operator can fix the mount without
reading a traceback.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar, cast

import torch
from diffusers import (
    AutoencoderKL,
    ControlNetModel,
    StableDiffusionPipeline,
    StableDiffusionXLPipeline,
    T2IAdapter,
    UNet2DConditionModel,
)
from safetensors import SafetensorError, safe_open
from safetensors.torch import load_file
from transformers import CLIPImageProcessor, CLIPVisionModelWithProjection

from .device import DeviceSpec
from .errors import ModelInvalid, ModelNotFound
from .registry import BaseModelEntry, Family, ModelEntry

# Published cross-attention widths (text-encoder output) by family, to name a foreign file's family.
KNOWN_CROSS_DIMS: dict[int, Family] = {768: "sd15", 2048: "sdxl"}


def config_family(config: Mapping[str, Any]) -> Family:
    """Family of a UNet or ControlNet config: SDXL's micro-conditioning is `addition_embed_type:
    text_time` (pooled text + size/crop time ids); SD 1.5 has none."""
    return "sdxl" if config.get("addition_embed_type") == "text_time" else "sd15"


def adapter_family(config: Mapping[str, Any]) -> Family:
    """Family of a T2I-Adapter config: `full_adapter_xl` is SDXL's (TencentARC *-sdxl-1.0)."""
    return "sdxl" if config.get("adapter_type") == "full_adapter_xl" else "sd15"


def check_family(kind: str, path: Path, found: Family, why: str, expected: Family) -> None:
    if found != expected:
        raise ModelInvalid(f"{kind} {path} is a {found} model ({why}) but is configured or used as {expected}; "
                           f"an {found} file cannot run on an {expected} base model")

M = TypeVar("M", bound=torch.nn.Module)


def _on_device(module: M, spec: DeviceSpec) -> M:
    torch.nn.Module.to(module, spec.device)  # in place; diffusers' typed `to` confuses checkers
    return module


def check_safetensors(path: Path) -> None:
    """Open every .safetensors under `path` and read each tensor's header: corrupt or truncated
    files fail here with their name instead of deep inside a loader."""
    files = [path] if path.is_file() else sorted(path.rglob("*.safetensors"))
    for file in files:
        if file.suffix != ".safetensors":
            continue
        try:
            with safe_open(str(file), framework="pt", device="cpu") as f:
                for key in f.keys():  # noqa: SIM118 - safe_open is not a Mapping
                    f.get_slice(key)
        except (SafetensorError, OSError, ValueError) as err:
            raise ModelInvalid(f"{file} is not a readable .safetensors file (corrupt or truncated): {err}") \
                from err


def read_safetensors(path: Path, what: str) -> dict[str, torch.Tensor]:
    if not path.is_file():
        raise ModelNotFound(f"{what} file {path} does not exist")
    check_safetensors(path)
    return load_file(str(path), device="cpu")


def load_base_pipeline(entry: BaseModelEntry, spec: DeviceSpec) -> StableDiffusionPipeline:
    """The entry's family picks the pipeline: StableDiffusionPipeline (sd15) or
    StableDiffusionXLPipeline (sdxl: two text encoders, pooled embeddings, size/crop time ids; no
    refiner). A diffusers folder, or one .safetensors with `config` (a local folder with the
    pipeline's configs, nothing fetched). `vae` (optional) replaces the VAE, e.g. the fp16-fixed
    SDXL VAE. The UNet's config must be of the declared family."""
    check_safetensors(entry.path)
    cls: Any = StableDiffusionXLPipeline if entry.family == "sdxl" else StableDiffusionPipeline
    common: dict[str, Any] = {"dtype": spec.dtype, "local_files_only": True}
    if entry.family == "sdxl":
        common["add_watermarker"] = False
    else:
        common.update(safety_checker=None, requires_safety_checker=False)
    try:
        if entry.vae is not None:
            check_safetensors(entry.vae)
            common["vae"] = AutoencoderKL.from_pretrained(str(entry.vae), dtype=spec.dtype)
        if entry.path.is_dir():
            pipe = cls.from_pretrained(str(entry.path), **common)
        else:
            pipe = cls.from_single_file(str(entry.path), config=str(entry.config), **common)
    except (OSError, ValueError, KeyError, RuntimeError, TypeError, AttributeError) as err:
        raise ModelInvalid(f"could not load {entry.family} base model {entry.path}: {err}") from err
    found = config_family(pipe.unet.config)
    check_family("base model", entry.path, found, f"UNet addition_embed_type "
                 f"{pipe.unet.config.get('addition_embed_type')}", entry.family)
    pipe.to(spec.device)
    pipe.set_progress_bar_config(disable=True)
    return pipe


def _check_fits_unet(kind: str, path: Path, channels: list[int], unet: UNet2DConditionModel,
                     cross_dim: int | None = None) -> None:
    expected = list(unet.config["block_out_channels"])
    if len(channels) == len(expected) + 1 and channels[-1] == channels[-2]:
        channels = channels[:-1]  # full_adapter_xl: its 4th feature is added after SDXL's mid block
    if channels != expected:
        raise ModelInvalid(f"{kind} {path} has block channels {channels}; the base model's UNet has {expected}")
    unet_cross = int(unet.config["cross_attention_dim"])
    if cross_dim is not None and cross_dim != unet_cross:
        raise ModelInvalid(f"{kind} {path} has cross_attention_dim {cross_dim}; the base model's is {unet_cross}")


def load_controlnet(entry: ModelEntry, spec: DeviceSpec, unet: UNet2DConditionModel) -> ControlNetModel:
    check_safetensors(entry.path)
    try:
        if entry.path.is_dir():
            net = ControlNetModel.from_pretrained(str(entry.path), dtype=spec.dtype)
        else:
            # Accepts both the original (`control_model.*`) and the diffusers key layout.
            net = ControlNetModel.from_single_file(str(entry.path), config=str(entry.config),
                                                   local_files_only=True, dtype=spec.dtype)
    except (OSError, ValueError, KeyError, RuntimeError) as err:
        raise ModelInvalid(f"could not load ControlNet {entry.path}: {err}") from err
    check_family("ControlNet", entry.path, config_family(net.config),
                 f"addition_embed_type {net.config.get('addition_embed_type')}", config_family(unet.config))
    _check_fits_unet("ControlNet", entry.path, list(net.config["block_out_channels"]), unet,
                     int(net.config["cross_attention_dim"]))
    return _on_device(net, spec)


def load_t2i_adapter(entry: ModelEntry, spec: DeviceSpec, unet: UNet2DConditionModel) -> T2IAdapter:
    check_safetensors(entry.path)
    try:
        if entry.path.is_dir():
            adapter = T2IAdapter.from_pretrained(str(entry.path), dtype=spec.dtype)
        else:
            # diffusers has no single-file loader for T2I-Adapters: config folder + flat state dict.
            config = cast(dict[str, Any], T2IAdapter.load_config(str(entry.config)))
            adapter = cast(T2IAdapter, T2IAdapter.from_config(config))
            adapter.load_state_dict(load_file(str(entry.path)), strict=True)
            torch.nn.Module.to(adapter, dtype=spec.dtype)
    except (OSError, ValueError, KeyError, RuntimeError) as err:
        raise ModelInvalid(f"could not load T2I-Adapter {entry.path}: {err}") from err
    check_family("T2I-Adapter", entry.path, adapter_family(adapter.config),
                 f"adapter_type {adapter.config.get('adapter_type')}", config_family(unet.config))
    _check_fits_unet("T2I-Adapter", entry.path, list(adapter.config["channels"]), unet)
    return _on_device(adapter, spec)


@dataclass
class ImageEncoder:
    path: Path
    model: CLIPVisionModelWithProjection
    processor: CLIPImageProcessor


def load_image_encoder(entry: ModelEntry, spec: DeviceSpec) -> ImageEncoder:
    check_safetensors(entry.path)
    if not (entry.path / "config.json").is_file():
        raise ModelNotFound(f"image encoder folder {entry.path} has no config.json (expected a "
                            "CLIPVisionModelWithProjection saved with save_pretrained)")
    try:
        model = CLIPVisionModelWithProjection.from_pretrained(str(entry.path), dtype=spec.dtype)
        if (entry.path / "preprocessor_config.json").is_file():
            processor = CLIPImageProcessor.from_pretrained(str(entry.path))
        else:
            size = cast(int, model.config.image_size)
            processor = CLIPImageProcessor(size={"shortest_edge": size}, crop_size={"height": size, "width": size})
    except (OSError, ValueError, KeyError, RuntimeError) as err:
        raise ModelInvalid(f"could not load image encoder {entry.path}: {err}") from err
    return ImageEncoder(entry.path, _on_device(model, spec).eval(), processor)


@dataclass
class IPAdapterWeights:
    """An IP-Adapter file split the way diffusers' loader wants it, plus what it expects."""

    path: Path
    state: dict[str, dict[str, torch.Tensor]]
    variant: Literal["base", "plus"]
    embed_dim: int  # width of the image embedding it projects (encoder output it needs)
    cross_dim: int

    def expected_embeds_shape(self) -> str:
        """The `image_embeds` shape precomputed embeddings must have (as the app sends them)."""
        if self.variant == "base":
            return f"[1, {self.embed_dim}] (projected image_embeds; [{self.embed_dim}] also accepted)"
        return (f"[1, tokens, {self.embed_dim}] (penultimate hidden states, tokens = 257 for ViT-H/14 at 224 px; "
                f"[tokens, {self.embed_dim}] also accepted)")


def read_ip_adapter(path: Path, unet: UNet2DConditionModel) -> IPAdapterWeights:
    """Read the official layout (`image_proj.*`, `ip_adapter.N.to_k_ip.weight`) and check it fits."""
    if path.suffix != ".safetensors":
        raise ModelInvalid(f"IP-Adapter {path}: only .safetensors files are accepted (pickled .bin can run code)")
    return ip_adapter_from_flat(read_safetensors(path, "IP-Adapter"), path, unet)


def ip_adapter_from_flat(flat: dict[str, torch.Tensor], path: Path, unet: UNet2DConditionModel) -> IPAdapterWeights:
    """Split and check official-layout IP-Adapter tensors (`path` only names them in errors)."""
    state: dict[str, dict[str, torch.Tensor]] = {"image_proj": {}, "ip_adapter": {}}
    for key, value in flat.items():
        head, _, rest = key.partition(".")
        if head in state:
            state[head][rest] = value
    proj = state["image_proj"]
    if "proj.weight" in proj:
        variant: Literal["base", "plus"] = "base"
        embed_dim, cross_dim = proj["proj.weight"].shape[1], proj["proj.weight"].shape[0] // 4
    elif "latents" in proj and "proj_in.weight" in proj:
        variant, embed_dim, cross_dim = "plus", proj["proj_in.weight"].shape[1], proj["proj_out.weight"].shape[0]
    else:
        raise ModelInvalid(f"IP-Adapter {path} has no image_proj.proj.weight (base) or image_proj.latents "
                           f"(plus) key; found {sorted(flat)[:8]}")
    unet_cross = int(unet.config["cross_attention_dim"])
    if cross_dim != unet_cross:
        base_family = config_family(unet.config)
        fam = KNOWN_CROSS_DIMS.get(int(cross_dim))
        named = f"an {fam} IP-Adapter" if fam else "not an IP-Adapter for this base's family"
        raise ModelInvalid(f"IP-Adapter {path} is {named} (it projects to width {cross_dim}); the base model is "
                           f"{base_family}, cross_attention_dim {unet_cross}")
    n_cross = sum(1 for name in unet.attn_processors if name.endswith("attn2.processor"))
    expected = {f"{2 * i + 1}.to_{kv}_ip.weight" for i in range(n_cross) for kv in "kv"}
    missing = sorted(expected - set(state["ip_adapter"]))
    if missing:
        raise ModelInvalid(f"IP-Adapter {path} lacks {len(missing)} cross-attention weights for this UNet "
                           f"({n_cross} layers), e.g. ip_adapter.{missing[0]}")
    return IPAdapterWeights(path, state, variant, int(embed_dim), int(cross_dim))


def check_encoder_fits(weights: IPAdapterWeights, encoder: ImageEncoder) -> None:
    cfg = encoder.model.config
    width = int(cfg.projection_dim) if weights.variant == "base" else int(cfg.hidden_size)
    if width != weights.embed_dim:
        field = "projection_dim" if weights.variant == "base" else "hidden_size"
        raise ModelInvalid(f"image encoder {encoder.path} gives embeddings of width {width} ({field}) but "
                           f"IP-Adapter {weights.path} ({weights.variant}) expects {weights.embed_dim}")
