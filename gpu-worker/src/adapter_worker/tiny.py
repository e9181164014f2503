"""Build a complete random-weight model set in the real on-disk formats, plus its registry config.

    python -m adapter_worker.tiny --out DIR            # tiny SD 1.5-shaped set (CPU tests, demo)
    python -m adapter_worker.tiny --out DIR --arch sd15  # published SD 1.5 shapes (~10 GB)

Everything is written the way production files are (save_pretrained folders, .safetensors with
the official IP-Adapter keys, LoRAs in the diffusers/PEFT and kohya layouts), so the worker loads
them through exactly the code it uses for real models.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import torch
from diffusers import StableDiffusionPipeline, UNet2DConditionModel
from safetensors.torch import save_file
from transformers import CLIPTextModel

from . import model_builders as mb
from .arch_configs import ARCHS, ArchSet
from .spectral_shift import random_shifts, save_shifts

LORA_RANK = 4
CONTROL_TYPES = ("canny", "depth")


def _lora_targets(unet: UNet2DConditionModel, text_encoder: CLIPTextModel) -> dict[str, torch.nn.Linear]:
    """Attention projections LoRA is trained on (q, k, v, out), UNet and text encoder."""
    targets: dict[str, torch.nn.Linear] = {}
    for name, module in unet.named_modules():
        if isinstance(module, torch.nn.Linear) and name.split(".")[-1] in {"to_q", "to_k", "to_v", "0"} \
                and (".attn1." in name or ".attn2." in name):
            targets[f"unet.{name}"] = module
    for name, module in text_encoder.named_modules():
        if isinstance(module, torch.nn.Linear) and name.split(".")[-1] in {"q_proj", "k_proj", "v_proj",
                                                                          "out_proj"}:
            # Files in the wild name CLIP's modules `text_model.encoder...` (transformers 4 tree);
            # transformers 5 flattened it, and the loaders map the old names, so write those.
            full = name if name.startswith("text_model.") else f"text_model.{name}"
            targets[f"text_encoder.{full}"] = module
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


def build_model_set(out: Path, arch: ArchSet, seed: int = 0) -> Path:
    """Write the whole set under `out`; returns the registry config path."""
    out.mkdir(parents=True, exist_ok=True)
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
