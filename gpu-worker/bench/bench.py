"""Throughput of the worker's generate path beside the stock diffusers pipeline call.

    python bench/bench.py                    # full SD 1.5 architectures, 512x512, 25 steps, CUDA fp16
    python bench/bench.py --arch sdxl        # full SDXL base 1.0 shapes, 1024x1024, 30 steps, CUDA fp16
    python bench/bench.py --tiny [--arch sdxl]  # tiny architectures on CPU (runs anywhere; smoke test)
    python bench/bench.py --flops            # FLOPs of one UNet step at the published shapes (meta device)

SDXL rows use the same code with StableDiffusionXL[ControlNet]Pipeline, IP-Adapter SDXL over a
ViT-bigG/14-shaped encoder, and Euler (SDXL's shipped scheduler) for both sides.

Models are the published SD 1.5 shapes (UNet, VAE, CLIP text encoder, ControlNet, IP-Adapter with
a ViT-H/14 image encoder) with random weights (no hub here), so speed is real and images are noise.
Each configuration runs the stock pipeline (`StableDiffusion[ControlNet]Pipeline.__call__` with
`ip_adapter_image`) and the worker (`GenerateEngine.run`, what a job executes) on the same modules
in the same process; it/s is measured between the first and last step callbacks, s/image is
the whole call (text encoding, image encoding, denoising, VAE decode).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import numpy as np
import torch
from diffusers import (
    ControlNetModel,
    StableDiffusionControlNetPipeline,
    StableDiffusionPipeline,
    StableDiffusionXLControlNetPipeline,
    StableDiffusionXLPipeline,
    UNet2DConditionModel,
)
from PIL import Image

from adapter_worker import model_builders as mb
from adapter_worker.__main__ import quiet_libraries
from adapter_worker.arch_configs import SD15, SDXL, TINY, TINY_SDXL, ArchSet
from adapter_worker.cache import ModelCache
from adapter_worker.device import DeviceSpec, module_bytes, select_device
from adapter_worker.generate import GenerateEngine
from adapter_worker.loaders import ImageEncoder, ip_adapter_from_flat
from adapter_worker.params import GenerateParams
from adapter_worker.progress import Progress, StepMonitor
from adapter_worker.registry import ModelRegistry, RegistryConfig

CONFIGS = ("base", "+ip_adapter", "+controlnet", "+both")


def sync(spec: DeviceSpec) -> None:
    if spec.is_cuda:
        torch.cuda.synchronize(spec.device)


def build(arch: ArchSet, spec: DeviceSpec, channels_last: bool, tmp: Path) -> tuple[GenerateEngine, Any]:
    """Random-weight models on the device, made resident in a worker engine's cache."""
    tokenizer, ids = mb.build_tokenizer(tmp / "tokenizer")
    unet, vae = mb.build_unet(arch, 0).eval(), mb.build_vae(arch, 0).eval()
    text_encoder, controlnet = mb.build_text_encoder(arch, 0, ids).eval(), mb.build_controlnet(arch, 0).eval()
    encoder, processor = mb.build_image_encoder(arch, 0)
    ip_flat = mb.build_ip_adapter_state(arch, unet, "base", 0)
    fam = arch.family
    pipe: Any
    if fam == "sdxl":
        tokenizer_2, _ = mb.build_tokenizer(tmp / "tokenizer_2", pad_token="!")  # noqa: S106 - a token
        text_encoder_2 = mb.build_text_encoder_2(arch, 0, ids).eval()
        pipe = StableDiffusionXLPipeline(vae=vae, text_encoder=text_encoder, text_encoder_2=text_encoder_2,
                                         tokenizer=tokenizer, tokenizer_2=tokenizer_2, unet=unet,
                                         scheduler=mb.build_scheduler(arch), add_watermarker=False)
    else:
        text_encoder_2 = None
        pipe = StableDiffusionPipeline(vae=vae, text_encoder=text_encoder, tokenizer=tokenizer, unet=unet,
                                       scheduler=mb.build_scheduler(arch), safety_checker=None,  # type: ignore[arg-type]
                                       feature_extractor=None, requires_safety_checker=False)  # type: ignore[arg-type]
    pipe.to(spec.device, spec.dtype)
    for m in (controlnet, encoder):
        torch.nn.Module.to(m, spec.device, spec.dtype)
    if channels_last:
        for m in (unet, controlnet):
            torch.nn.Module.to(m, memory_format=torch.channels_last)
    pipe.set_progress_bar_config(disable=True)
    enc_name = "vit-bigg" if fam == "sdxl" else "vit-h"
    config = RegistryConfig.model_validate({
        "default_base_model": fam, "base_models": {fam: {"path": "in-memory", "family": fam}},
        "controlnets": {fam: {"canny": {"path": "in-memory"}}},
        "image_encoders": {enc_name: {"path": "in-memory"}},
        "ip_adapters": {fam: {"base": {"path": "in-memory", "image_encoder": enc_name}}}})
    engine = GenerateEngine(ModelRegistry(config, tmp), spec, ModelCache(1 << 40))
    weights = ip_adapter_from_flat(ip_flat, Path("in-memory"), unet)
    weights.state = {k: {n: t.to(spec.device, spec.dtype) for n, t in v.items()} for k, v in weights.state.items()}
    engine.cache.put(f"base:{fam}", pipe, module_bytes(*(m for m in (unet, vae, text_encoder, text_encoder_2) if m)))
    engine.cache.put(f"controlnet:{fam}/canny", controlnet, module_bytes(controlnet))
    engine.cache.put(f"ip:{fam}/base", weights, 0)
    engine.cache.put(f"encoder:{enc_name}", ImageEncoder(Path("in-memory"), encoder.eval(), processor),
                     module_bytes(encoder))
    return engine, (pipe, controlnet, encoder, processor, ip_flat)


def timed(call: Callable[[Callable[[], None]], None], spec: DeviceSpec, steps: int) -> tuple[float, float]:
    """(it/s between first and last step, seconds for the whole call)."""
    stamps: list[float] = []

    def on_step() -> None:
        sync(spec)
        stamps.append(time.perf_counter())

    sync(spec)
    t0 = time.perf_counter()
    call(on_step)
    sync(spec)
    total = time.perf_counter() - t0
    return (len(stamps) - 1) / (stamps[-1] - stamps[0]), total


def run_stock(parts: Any, config: str, size: int, steps: int, ref: Image.Image, ctl: Image.Image,
              on_step: Callable[[], None]) -> None:
    pipe, controlnet, encoder, processor, ip_flat = parts
    kwargs: dict[str, Any] = {}
    if config in ("+ip_adapter", "+both"):
        pipe.register_modules(image_encoder=encoder, feature_extractor=processor)
        pipe.load_ip_adapter({"image_proj": {k[11:]: v for k, v in ip_flat.items() if k.startswith("image_proj.")},
                              "ip_adapter": {k[11:]: v for k, v in ip_flat.items() if k.startswith("ip_adapter.")}},
                             subfolder="", weight_name="")
        pipe.set_ip_adapter_scale(1.0)
        kwargs["ip_adapter_image"] = ref
    runner = pipe
    if config in ("+controlnet", "+both"):
        if isinstance(pipe, StableDiffusionXLPipeline):
            runner = StableDiffusionXLControlNetPipeline(**pipe.components, controlnet=controlnet,
                                                         add_watermarker=False)
        else:
            runner = StableDiffusionControlNetPipeline(**pipe.components, controlnet=controlnet)
        runner.set_progress_bar_config(disable=True)
        kwargs["image"] = ctl
    try:
        with torch.inference_mode():
            runner("a photo of a cat", negative_prompt="blurry", num_inference_steps=steps, guidance_scale=7.5,
                   width=size, height=size, generator=torch.Generator().manual_seed(0),
                   callback_on_step_end=lambda p, i, t, kw: (on_step(), kw)[1],  # pyright: ignore[reportArgumentType]
                   **kwargs)
    finally:
        if "ip_adapter_image" in kwargs:
            pipe.unload_ip_adapter()


def run_worker(engine: GenerateEngine, config: str, size: int, steps: int, inputs: dict[str, Path],
               on_step: Callable[[], None], scheduler: str = "pndm") -> None:
    params: dict[str, Any] = {"prompt": "a photo of a cat", "negative_prompt": "blurry", "seed": 0, "steps": steps,
                              "guidance_scale": 7.5, "width": size, "height": size, "scheduler": scheduler,
                              "preview_every": 0}
    if config in ("+ip_adapter", "+both"):
        params["references"] = [{"image": "ref"}]
    if config in ("+controlnet", "+both"):
        params["controls"] = [{"type": "canny", "image": "ctl"}]

    def progress(_p: Progress) -> None:
        on_step()

    engine.run(GenerateParams.model_validate(params), inputs, StepMonitor(progress, preview_every=0))


def unet_step_flops(arch: ArchSet, size: int, controlnet: bool) -> int:
    """FLOPs of one UNet evaluation at batch 1 (CFG runs two: x2), plus the ControlNet's forward when
    asked, counted by torch.utils.flop_counter.FlopCounterMode on the meta device: the published
    shapes, no weights allocated or downloaded. A FLOP is one multiply or one add (a MAC = 2)."""
    from torch.utils.flop_counter import FlopCounterMode

    with torch.device("meta"):
        unet = UNet2DConditionModel(**arch.unet).eval()
        net = ControlNetModel(**arch.controlnet_extra).eval() if controlnet else None
        latent = torch.zeros(1, 4, size // 8, size // 8)
        text = torch.zeros(1, 77, int(arch.unet["cross_attention_dim"]))
        t = torch.tensor([500])
        cond: dict[str, Any] = {}
        if arch.family == "sdxl":
            time_dim = int(arch.unet["addition_time_embed_dim"])
            pooled = int(arch.unet["projection_class_embeddings_input_dim"]) - 6 * time_dim
            cond = {"added_cond_kwargs": {"text_embeds": torch.zeros(1, pooled), "time_ids": torch.zeros(1, 6)}}
        with FlopCounterMode(display=False) as counter, torch.no_grad():
            extra: dict[str, Any] = {}
            if net is not None:
                down, mid = net(latent, t, text, controlnet_cond=torch.zeros(1, 3, size, size), return_dict=False,
                                **cond)
                extra = {"down_block_additional_residuals": down, "mid_block_additional_residual": mid}
            unet(latent, t, text, **cond, **extra)
        return int(counter.get_total_flops())


def print_flops() -> None:
    rows = [("SD 1.5", SD15, 512, False), ("SD 1.5 + ControlNet", SD15, 512, True),
            ("SDXL", SDXL, 1024, False), ("SDXL + ControlNet", SDXL, 1024, True)]
    counted = [(name, size, unet_step_flops(arch, size, cn)) for name, arch, size, cn in rows]
    base = counted[0][2]
    print(f"torch={torch.__version__} FlopCounterMode, meta device, batch 1 (x2 with CFG), one denoising step")
    print(f"| {'model':<20} | {'size':>9} | {'TFLOP/step':>10} | {'vs SD 1.5':>9} |")
    print(f"|{'-' * 22}|{'-' * 11}|{'-' * 12}|{'-' * 11}|")
    for name, size, flops in counted:
        print(f"| {name:<20} | {f'{size}x{size}':>9} | {flops / 1e12:>10.3f} | {flops / base:>9.2f} |")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tiny", action="store_true", help="tiny models on CPU")
    parser.add_argument("--arch", choices=("sd15", "sdxl"), default="sd15")
    parser.add_argument("--steps", type=int, default=None, help="default 25 (sd15), 30 (sdxl)")
    parser.add_argument("--size", type=int, default=None, help="pixels (default 512 sd15, 1024 sdxl, tiny 64)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per cell (median)")
    parser.add_argument("--channels-last", action="store_true")
    parser.add_argument("--flops", action="store_true", help="print FLOPs per UNet step and exit")
    args = parser.parse_args(argv)
    quiet_libraries()
    if args.flops:
        print_flops()
        return
    xl = args.arch == "sdxl"
    arch = (TINY_SDXL if xl else TINY) if args.tiny else (SDXL if xl else SD15)
    args.steps = args.steps or (30 if xl else 25)
    scheduler = "euler" if xl else "pndm"
    spec = select_device("cpu") if args.tiny else select_device()
    if not args.tiny and not spec.is_cuda:
        parser.error("full-size benchmark needs CUDA; use --tiny on CPU")
    size = args.size or arch.image_size
    if not spec.is_cuda:
        torch.set_flush_denormal(True)  # random tiny weights drift into denormals, which crawl on x86
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        engine, parts = build(arch, spec, args.channels_last, tmp)
        rng = np.random.default_rng(0)
        ref, ctl = (Image.fromarray(rng.integers(0, 255, (size, size, 3), dtype=np.uint8)) for _ in range(2))
        inputs = {"ref": tmp / "ref.png", "ctl": tmp / "ctl.png"}
        ref.save(inputs["ref"])
        ctl.save(inputs["ctl"])
        print(f"device={spec.device} dtype={str(spec.dtype).removeprefix('torch.')} arch={arch.name}-{arch.family} "
              f"size={size} steps={args.steps} guidance=7.5 batch=1 scheduler={scheduler} torch={torch.__version__}")
        header = (f"| {'config':<12} | {'worker it/s':>11} | {'stock it/s':>10} | {'ratio':>5} | "
                  f"{'worker s/img':>12} | {'stock s/img':>11} | {'ratio':>5} |")
        print(header)
        print("|" + "|".join("-" * (len(c)) for c in header.split("|")[1:-1]) + "|")
        for config in CONFIGS:
            cells: dict[str, list[tuple[float, float]]] = {"worker": [], "stock": []}
            for i in range(args.repeats + 1):  # first round warms up kernels and caches
                for who in ("stock", "worker"):
                    steps = args.steps if i else 3
                    if who == "stock":
                        r = timed(lambda cb, s=steps, c=config: run_stock(parts, c, size, s, ref, ctl, cb), spec, steps)
                    else:
                        r = timed(lambda cb, s=steps, c=config: run_worker(engine, c, size, s, inputs, cb, scheduler),
                                  spec, steps)
                    if i:
                        cells[who].append(r)
            (w_it, w_s), (s_it, s_s) = (tuple(np.median(np.array(cells[k]), axis=0)) for k in ("worker", "stock"))
            print(f"| {config:<12} | {w_it:>11.2f} | {s_it:>10.2f} | {w_it / s_it:>5.2f} | "
                  f"{w_s:>12.3f} | {s_s:>11.3f} | {s_s / w_s:>5.2f} |")


if __name__ == "__main__":
    main()
