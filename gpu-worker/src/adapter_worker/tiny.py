"""Build a complete random-weight model set in the real on-disk formats, plus its registry config.

    python -m adapter_worker.tiny --out DIR            # tiny SD 1.5 + tiny SDXL sets (CPU tests, demo)
    python -m adapter_worker.tiny --out DIR --arch sd15  # published SD 1.5 shapes (~10 GB)
    python -m adapter_worker.tiny --out DIR --arch sdxl  # published SDXL base shapes (~30 GB)

Everything is written the way production files are (save_pretrained folders, .safetensors with
the official IP-Adapter keys, LoRAs in the diffusers/PEFT and kohya layouts), so the worker loads
them through exactly the code it uses for real models.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path
from typing import Any

import torch
from diffusers import StableDiffusionPipeline, StableDiffusionXLPipeline, UNet2DConditionModel
from safetensors.torch import save_file
from transformers import CLIPTextModel

from . import model_builders as mb
from .arch_configs import ARCHS, SD15, SDXL_COMPANION, TINY, ArchSet
from .spectral_shift import random_shifts, save_shifts
from .xadapter import write_random_xadapter

LORA_RANK = 4
CONTROL_TYPES = ("canny", "depth")


def _lora_targets(unet: UNet2DConditionModel, text_encoder: CLIPTextModel,
                  text_encoder_2: torch.nn.Module | None = None) -> dict[str, torch.nn.Linear]:
    """Attention projections LoRA is trained on (q, k, v, out), UNet and text encoder(s)."""
    targets: dict[str, torch.nn.Linear] = {}
    for name, module in unet.named_modules():
        if isinstance(module, torch.nn.Linear) and name.split(".")[-1] in {"to_q", "to_k", "to_v", "0"} \
                and (".attn1." in name or ".attn2." in name):
            targets[f"unet.{name}"] = module
    encoders = {"text_encoder": text_encoder}
    if text_encoder_2 is not None:
        encoders["text_encoder_2"] = text_encoder_2  # pyright: ignore[reportArgumentType]
    for root, encoder in encoders.items():
        for name, module in encoder.named_modules():
            if isinstance(module, torch.nn.Linear) and name.split(".")[-1] in {"q_proj", "k_proj", "v_proj",
                                                                              "out_proj"}:
                # Files in the wild name CLIP's modules `text_model.encoder...` (transformers 4 tree);
                # transformers 5 flattened it, and the loaders map the old names, so write those.
                full = name if name.startswith("text_model.") else f"text_model.{name}"
                targets[f"{root}.{full}"] = module
    return targets


def _random_lora(targets: dict[str, torch.nn.Linear], seed: int) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """(A, B) per target; B is non-zero, as after training (a fresh LoRA adds nothing)."""
    gen = torch.Generator().manual_seed(seed)
    return {
        name: (torch.randn(LORA_RANK, lin.in_features, generator=gen) * 0.3,
               torch.randn(lin.out_features, LORA_RANK, generator=gen) * 0.3)
        for name, lin in targets.items()
    }


def write_peft_lora(path: Path, lora: dict[str, tuple[torch.Tensor, torch.Tensor]]) -> None:
    """diffusers/PEFT layout: `unet.<module>.lora_A.weight` / `.lora_B.weight` (alpha = rank)."""
    tensors: dict[str, torch.Tensor] = {}
    for name, (a, b) in lora.items():
        tensors[f"{name}.lora_A.weight"] = a.contiguous()
        tensors[f"{name}.lora_B.weight"] = b.contiguous()
    save_file(tensors, str(path))


def write_kohya_lora(path: Path, lora: dict[str, tuple[torch.Tensor, torch.Tensor]], alpha: float) -> None:
    """kohya sd-scripts layout: `lora_unet_<module_with_underscores>.lora_down.weight`, `.lora_up.weight`,
    `.alpha`; text encoder modules under `lora_te_`."""
    tensors: dict[str, torch.Tensor] = {}
    for name, (a, b) in lora.items():
        root, module = name.split(".", 1)
        prefix = "lora_unet_" if root == "unet" else "lora_te_"
        key = prefix + module.replace(".", "_")
        tensors[f"{key}.lora_down.weight"] = a.contiguous()
        tensors[f"{key}.lora_up.weight"] = b.contiguous()
        tensors[f"{key}.alpha"] = torch.tensor(alpha)
    save_file(tensors, str(path))


def sgm_module_name(module: str, layers_per_block: int) -> str:
    """diffusers UNet module path -> the SGM/LDM name kohya's SDXL trainer uses
    (`down_blocks.B.attentions.L` = `input_blocks.{1 + B(lpb+1) + L}.1`, `mid_block.attentions.0` =
    `middle_block.1`, `up_blocks.B.attentions.L` = `output_blocks.{B(lpb+1) + L}.1`); the inverse of
    diffusers' `_maybe_map_sgm_blocks_to_diffusers`. Only attention modules are mapped."""
    parts = module.split(".")
    if parts[0] == "down_blocks" and parts[2] == "attentions":
        head = f"input_blocks.{1 + int(parts[1]) * (layers_per_block + 1) + int(parts[3])}.1"
    elif parts[0] == "up_blocks" and parts[2] == "attentions":
        head = f"output_blocks.{int(parts[1]) * (layers_per_block + 1) + int(parts[3])}.1"
    elif parts[0] == "mid_block" and parts[1] == "attentions":
        return "middle_block.1." + ".".join(parts[3:])
    else:
        raise ValueError(f"no SGM name for {module}")
    return head + "." + ".".join(parts[4:])


def write_kohya_sdxl_lora(path: Path, lora: dict[str, tuple[torch.Tensor, torch.Tensor]], alpha: float,
                          layers_per_block: int) -> None:
    """kohya sd-scripts SDXL layout: UNet modules by their SGM names (`lora_unet_input_blocks_4_1_...`),
    the two text encoders under `lora_te1_` / `lora_te2_`, `.alpha` per module."""
    tensors: dict[str, torch.Tensor] = {}
    for name, (a, b) in lora.items():
        root, module = name.split(".", 1)
        if root == "unet":
            key = "lora_unet_" + sgm_module_name(module, layers_per_block).replace(".", "_")
        else:
            key = ("lora_te1_" if root == "text_encoder" else "lora_te2_") + module.replace(".", "_")
        tensors[f"{key}.lora_down.weight"] = a.contiguous()
        tensors[f"{key}.lora_up.weight"] = b.contiguous()
        tensors[f"{key}.alpha"] = torch.tensor(alpha)
    save_file(tensors, str(path))


def build_sdxl_set(out: Path, arch: ArchSet, seed: int, config: dict[str, Any]) -> None:
    """Write an SDXL set under `out/sdxl/` and add its entries to `config` (family `sdxl`).

    Base (StableDiffusionXLPipeline.save_pretrained: two text encoders and tokenizers), ControlNet
    canny, T2I-Adapter canny (`full_adapter_xl`), IP-Adapter base over the bigG-shaped encoder
    `vit-bigg` and "plus" over `vit-h`, and one LoRA twice: kohya (SGM names, alpha = rank, so the
    scale is 1) and PEFT, from the same A/B, so both layouts must give the same image.
    """
    xl = out / "sdxl"
    xl.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tok_dir:
        tokenizer, special_ids = mb.build_tokenizer(Path(tok_dir) / "1")
        tokenizer_2, _ = mb.build_tokenizer(Path(tok_dir) / "2", pad_token="!")  # noqa: S106 - a token
    seed = seed + 1000  # other weights than the SD 1.5 set's
    unet = mb.build_unet(arch, seed)
    text_encoder = mb.build_text_encoder(arch, seed, special_ids)
    text_encoder_2 = mb.build_text_encoder_2(arch, seed, special_ids)
    pipe = StableDiffusionXLPipeline(
        vae=mb.build_vae(arch, seed), text_encoder=text_encoder, text_encoder_2=text_encoder_2,
        tokenizer=tokenizer, tokenizer_2=tokenizer_2, unet=unet, scheduler=mb.build_scheduler(arch),
        add_watermarker=False,
    )
    pipe.save_pretrained(str(xl / "base"), safe_serialization=True)
    mb.build_controlnet(arch, seed).save_pretrained(str(xl / "controlnet-canny"))
    mb.build_t2i_adapter(arch, seed).save_pretrained(str(xl / "t2i-adapter-canny"))

    encoder, processor = mb.build_image_encoder(arch, seed)
    encoder.save_pretrained(str(xl / "image_encoder"))
    processor.save_pretrained(str(xl / "image_encoder"))
    vit_h = TINY if arch.name == "tiny" else SD15
    save_file(mb.build_ip_adapter_state(arch, unet, "base", seed), str(xl / "ip-adapter_sdxl.safetensors"))
    save_file(mb.build_ip_adapter_state(arch, unet, "plus", seed, encoder=vit_h.image_encoder),
              str(xl / "ip-adapter-plus_sdxl_vit-h.safetensors"))
    if "vit-h" not in config["image_encoders"]:  # an SDXL-only set still serves the plus variant
        vh, vh_proc = mb.build_image_encoder(vit_h, seed)
        vh.save_pretrained(str(out / "image_encoder"))
        vh_proc.save_pretrained(str(out / "image_encoder"))
        config["image_encoders"]["vit-h"] = {"path": "image_encoder"}

    (xl / "loras").mkdir(exist_ok=True)
    lora = _random_lora(_lora_targets(unet, text_encoder, text_encoder_2), seed + 20)
    write_kohya_sdxl_lora(xl / "loras" / "style-kohya.safetensors", lora, alpha=float(LORA_RANK),
                          layers_per_block=int(arch.unet["layers_per_block"]))
    write_peft_lora(xl / "loras" / "style-peft.safetensors", lora)

    name = f"{arch.name}-sdxl"
    config["base_models"][name] = {"path": "sdxl/base", "family": "sdxl"}
    config.setdefault("default_base_model", name)
    config["controlnets"]["sdxl"] = {"canny": {"path": "sdxl/controlnet-canny"}}
    config["t2i_adapters"]["sdxl"] = {"canny": {"path": "sdxl/t2i-adapter-canny"}}
    config["image_encoders"]["vit-bigg"] = {"path": "sdxl/image_encoder"}
    config["ip_adapters"]["sdxl"] = {
        "base": {"path": "sdxl/ip-adapter_sdxl.safetensors", "image_encoder": "vit-bigg"},
        "plus": {"path": "sdxl/ip-adapter-plus_sdxl_vit-h.safetensors", "image_encoder": "vit-h"},
    }


def build_model_set(out: Path, arch: ArchSet, seed: int = 0) -> Path:
    """Write the whole set under `out`; returns the registry config path.

    An SD 1.5 arch with an SDXL companion (`tiny`) gets both sets in one models.json (default
    base: the SD 1.5 one); an SDXL arch writes the SDXL set alone."""
    out.mkdir(parents=True, exist_ok=True)
    if arch.family == "sdxl":
        config: dict[str, Any] = {"version": 1, "base_models": {}, "controlnets": {}, "t2i_adapters": {},
                                  "image_encoders": {}, "ip_adapters": {}}
        build_sdxl_set(out, arch, seed, config)
        return _write_config(out, config)
    with tempfile.TemporaryDirectory() as tok_dir:
        tokenizer, special_ids = mb.build_tokenizer(Path(tok_dir))
    unet = mb.build_unet(arch, seed)
    text_encoder = mb.build_text_encoder(arch, seed, special_ids)
    pipe = StableDiffusionPipeline(
        vae=mb.build_vae(arch, seed), text_encoder=text_encoder, tokenizer=tokenizer, unet=unet,
        scheduler=mb.build_scheduler(arch), safety_checker=None, feature_extractor=None,  # type: ignore[arg-type]
        requires_safety_checker=False,
    )
    pipe.save_pretrained(str(out / "base"), safe_serialization=True)

    control: dict[str, dict[str, str]] = {}
    adapters: dict[str, dict[str, str]] = {}
    for i, ctype in enumerate(CONTROL_TYPES):
        mb.build_controlnet(arch, seed + 10 * i).save_pretrained(str(out / f"controlnet-{ctype}"))
        mb.build_t2i_adapter(arch, seed + 10 * i).save_pretrained(str(out / f"t2i-adapter-{ctype}"))
        control[ctype] = {"path": f"controlnet-{ctype}"}
        adapters[ctype] = {"path": f"t2i-adapter-{ctype}"}
    # One ControlNet also as a single .safetensors file whose config is a local folder.
    lineart = mb.build_controlnet(arch, seed + 99)
    lineart.save_pretrained(str(out / "controlnet-lineart-config"))
    save_file({k: v.contiguous() for k, v in lineart.state_dict().items()},
              str(out / "controlnet-lineart.safetensors"))
    (out / "controlnet-lineart-config" / "diffusion_pytorch_model.safetensors").unlink()
    control["lineart"] = {"path": "controlnet-lineart.safetensors", "config": "controlnet-lineart-config"}

    encoder, processor = mb.build_image_encoder(arch, seed)
    encoder.save_pretrained(str(out / "image_encoder"))
    processor.save_pretrained(str(out / "image_encoder"))
    for variant, fname in (("base", "ip-adapter_sd15.safetensors"), ("plus", "ip-adapter-plus_sd15.safetensors")):
        save_file(mb.build_ip_adapter_state(arch, unet, variant, seed), str(out / fname))

    (out / "loras").mkdir(exist_ok=True)
    targets = _lora_targets(unet, text_encoder)
    write_peft_lora(out / "loras" / "style-peft.safetensors", _random_lora(targets, seed + 20))
    write_kohya_lora(out / "loras" / "style-kohya.safetensors", _random_lora(targets, seed + 21), alpha=2.0)
    write_peft_lora(out / "loras" / "detail-peft.safetensors", _random_lora(targets, seed + 22))
    # SVDiff spectral-shift adapters (δ only; `loras` in a generate job accepts them too)
    name = f"{arch.name}-sd15"
    save_shifts(out / "loras" / "subject-svdiff.safetensors", random_shifts({"unet": unet}, seed + 23), name)
    save_shifts(out / "loras" / "style-svdiff.safetensors",
                random_shifts({"unet": unet, "text_encoder": text_encoder}, seed + 24), name)

    config = {
        "version": 1,
        "default_base_model": f"{arch.name}-sd15",
        "base_models": {f"{arch.name}-sd15": {"path": "base", "family": "sd15"}},
        "controlnets": {"sd15": control},
        "t2i_adapters": {"sd15": adapters},
        "image_encoders": {"vit-h": {"path": "image_encoder"}},
        "ip_adapters": {"sd15": {
            "base": {"path": "ip-adapter_sd15.safetensors", "image_encoder": "vit-h"},
            "plus": {"path": "ip-adapter-plus_sd15.safetensors", "image_encoder": "vit-h"},
        }},
    }
    if arch.name in SDXL_COMPANION:
        companion = SDXL_COMPANION[arch.name]
        build_sdxl_set(out, companion, seed, config)
        # X-Adapter mapping layers between the two bases: random non-zero weights, released key layout
        sd15_name, sdxl_name = f"{arch.name}-sd15", f"{companion.name}-sdxl"
        write_random_xadapter(out / "x-adapter.safetensors", list(arch.unet["block_out_channels"]),
                              list(companion.unet["block_out_channels"]), seed + 40, sd15_name, sdxl_name)
        config["x_adapters"] = {"default": {"path": "x-adapter.safetensors", "sd15_base": sd15_name,
                                            "sdxl_base": sdxl_name}}
    return _write_config(out, config)


def _write_config(out: Path, config: dict[str, Any]) -> Path:
    config_path = out / "models.json"
    config_path.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    return config_path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True, help="folder to write the model set into")
    parser.add_argument("--arch", choices=sorted(ARCHS), default="tiny")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    path = build_model_set(args.out, ARCHS[args.arch], args.seed)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
