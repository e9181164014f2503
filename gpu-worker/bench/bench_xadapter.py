"""X-Adapter's cost beside plain SDXL, measured in the same run.

    python bench/bench_xadapter.py            # published SD 1.5 + SDXL shapes, 1024² / SD 1.5 at 512², CUDA
    python bench/bench_xadapter.py --tiny     # tiny architectures on CPU (runs anywhere; smoke test)

Random weights at the published shapes (no hub here), so speed is real and images are noise. Rows:
the stock `StableDiffusionXLPipeline.__call__` (the anchor), the worker's plain SDXL job through
the engine (`GenerateEngine.run`), and the worker's X-Adapter job (SDXL + an SD 1.5 canny ControlNet,
the paper's default t0 = 0.2, fusion 1.0), each s/image for the whole call; `overhead` = s/image
over the stock SDXL pipeline's. Also printed: the mapping network's FLOPs per step (batch 2 with
CFG), counted by torch's FlopCounterMode on the meta device at the full-size shapes, beside the
SDXL UNet's.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import numpy as np
import torch
from diffusers import StableDiffusionPipeline, StableDiffusionXLPipeline
from PIL import Image
from torch.utils.flop_counter import FlopCounterMode

from adapter_worker import model_builders as mb
from adapter_worker.__main__ import quiet_libraries
from adapter_worker.arch_configs import SD15, SDXL, TINY, TINY_SDXL, ArchSet
from adapter_worker.cache import ModelCache
from adapter_worker.device import DeviceSpec, module_bytes, select_device
from adapter_worker.generate import GenerateEngine
from adapter_worker.params import GenerateParams
from adapter_worker.progress import StepMonitor
from adapter_worker.registry import ModelRegistry, RegistryConfig
from adapter_worker.xadapter import XAdapterMapping, plan_levels, random_state

T0, FUSION = 0.2, 1.0  # the authors' canny script (adapter_guidance_start 0.8, adapter_condition_scale 1.0)


def sync(spec: DeviceSpec) -> None:
    if spec.is_cuda:
        torch.cuda.synchronize(spec.device)


def build(a15: ArchSet, axl: ArchSet, spec: DeviceSpec, tmp: Path) -> tuple[GenerateEngine, Any]:
    tok, ids = mb.build_tokenizer(tmp / "tok1")
    tok2, _ = mb.build_tokenizer(tmp / "tok2", pad_token="!")  # noqa: S106 - a token
    sd15 = StableDiffusionPipeline(
        vae=mb.build_vae(a15, 0), text_encoder=mb.build_text_encoder(a15, 0, ids), tokenizer=tok,
        unet=mb.build_unet(a15, 0), scheduler=mb.build_scheduler(a15), safety_checker=None,  # type: ignore[arg-type]
        feature_extractor=None, requires_safety_checker=False)  # type: ignore[arg-type]
    xl = StableDiffusionXLPipeline(
        vae=mb.build_vae(axl, 1), text_encoder=mb.build_text_encoder(axl, 1, ids),
        text_encoder_2=mb.build_text_encoder_2(axl, 1, ids), tokenizer=tok, tokenizer_2=tok2,
        unet=mb.build_unet(axl, 1), scheduler=mb.build_scheduler(axl), add_watermarker=False)
    controlnet = mb.build_controlnet(a15, 2).eval()
    for p in (sd15, xl):
        p.to(spec.device, spec.dtype)
        p.set_progress_bar_config(disable=True)
    torch.nn.Module.to(controlnet, spec.device, spec.dtype)
    levels = plan_levels(list(sd15.unet.config.block_out_channels), list(xl.unet.config.block_out_channels))
    mapping = XAdapterMapping(levels)
    mapping.load_state_dict(random_state(levels, 0, 0.02))
    mapping.requires_grad_(False).eval().to(spec.device, spec.dtype)
    config = RegistryConfig.model_validate({
        "default_base_model": "sdxl",
        "base_models": {"sd15": {"path": "in-memory"}, "sdxl": {"path": "in-memory", "family": "sdxl"}},
        "controlnets": {"sd15": {"canny": {"path": "in-memory"}}},
        "x_adapters": {"default": {"path": "in-memory", "sd15_base": "sd15", "sdxl_base": "sdxl"}}})
    engine = GenerateEngine(ModelRegistry(config, tmp), spec, ModelCache(1 << 40))
    engine.cache.put("base:sd15", sd15, module_bytes(sd15.unet, sd15.vae, sd15.text_encoder))
    engine.cache.put("base:sdxl", xl, module_bytes(xl.unet, xl.vae, xl.text_encoder, xl.text_encoder_2))
    engine.cache.put("controlnet:sd15/canny", controlnet, module_bytes(controlnet))
    engine.cache.put("xadapter:default", mapping, module_bytes(mapping))
    return engine, xl


def seconds(call: Any, spec: DeviceSpec) -> float:
    sync(spec)
    t0 = time.perf_counter()
    call()
    sync(spec)
    return time.perf_counter() - t0


def flops_per_step() -> tuple[int, int, int]:
    """(mapping, SDXL UNet, SD 1.5 UNet + ControlNet) FLOPs for one CFG step at 1024² / SD 1.5 512²,
    on the meta device."""
    with torch.device("meta"):
        levels = plan_levels(SD15.unet["block_out_channels"], SDXL.unet["block_out_channels"])
        mapping = XAdapterMapping(levels)
        feats = [torch.empty(2, 1280, 32, 32), torch.empty(2, 640, 64, 64), torch.empty(2, 320, 64, 64)]
        with FlopCounterMode(display=False) as counter:
            mapping(feats)
        m = counter.get_total_flops()
        unet = mb.build_unet(SDXL, 0)
        with FlopCounterMode(display=False) as counter:
            unet(torch.empty(2, 4, 128, 128), torch.tensor(500), encoder_hidden_states=torch.empty(2, 77, 2048),
                 added_cond_kwargs={"text_embeds": torch.empty(2, 1280), "time_ids": torch.empty(2, 6)})
        u = counter.get_total_flops()
        unet15, cn = mb.build_unet(SD15, 0), mb.build_controlnet(SD15, 0)
        x, c = torch.empty(2, 4, 64, 64), torch.empty(2, 77, 768)
        with FlopCounterMode(display=False) as counter:
            down, mid = cn(x, torch.tensor(500), encoder_hidden_states=c, controlnet_cond=torch.empty(2, 3, 512, 512),
                           return_dict=False)
            unet15(x, torch.tensor(500), encoder_hidden_states=c, down_block_additional_residuals=down,
                   mid_block_additional_residual=mid)
        return m, u, counter.get_total_flops()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tiny", action="store_true", help="tiny models on CPU")
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--size", type=int, default=None, help="SDXL pixels (default 1024, tiny 64)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per row (median)")
    parser.add_argument("--no-flops", action="store_true")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (1 on a shared box)")
    args = parser.parse_args(argv)
    quiet_libraries()
    a15, axl = (TINY, TINY_SDXL) if args.tiny else (SD15, SDXL)
    spec = select_device("cpu") if args.tiny else select_device()
    if not args.tiny and not spec.is_cuda:
        parser.error("full-size benchmark needs CUDA; use --tiny on CPU")
    size = args.size or (64 if args.tiny else 1024)
    if not spec.is_cuda:
        torch.set_flush_denormal(True)
    if args.threads:
        torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        engine, xl = build(a15, axl, spec, tmp)
        ctl = tmp / "ctl.png"
        Image.fromarray(np.random.default_rng(0).integers(0, 255, (size, size, 3), dtype=np.uint8)).save(ctl)
        common: dict[str, Any] = {"prompt": "a photo of a cat", "negative_prompt": "blurry", "seed": 0,
                                  "steps": args.steps, "guidance_scale": 7.5, "width": size, "height": size,
                                  "scheduler": "euler", "preview_every": 0, "base_model": "sdxl"}
        xa = GenerateParams.model_validate({**common, "x_adapter": {"t0": T0, "fusion": FUSION},
                                            "controls": [{"type": "canny", "image": "ctl", "family": "sd15"}]})
        meta: dict[str, Any] = {}

        def run_xa(steps: int) -> None:
            r = engine.run(xa.model_copy(update={"steps": steps}), {"ctl": ctl}, StepMonitor())
            meta.update(r.metadata)

        rows = {
            "sdxl stock": lambda n: xl("a photo of a cat", negative_prompt="blurry", num_inference_steps=n,
                                       guidance_scale=7.5, width=size, height=size,
                                       generator=torch.Generator().manual_seed(0)),
            "sdxl worker": lambda n: engine.run(GenerateParams.model_validate({**common, "steps": n}), {},
                                                StepMonitor()),
            "x-adapter +cn": run_xa,
        }
        times: dict[str, list[float]] = {k: [] for k in rows}
        for i in range(args.repeats + 1):  # the first round warms up kernels and caches
            for name, call in rows.items():
                s = seconds(lambda c=call, n=(args.steps if i else 3): c(n), spec)
                if i:
                    times[name].append(s)
        med = {k: float(np.median(v)) for k, v in times.items()}
        x = meta["x_adapter"]
        print(f"device={spec.device} ({torch.cuda.get_device_name(spec.device) if spec.is_cuda else 'cpu'}) "
              f"dtype={str(spec.dtype).removeprefix('torch.')} arch={a15.name}+{axl.name} size={size} "
              f"sd15_size={x['sd15_width']} steps={args.steps} "
              f"threads={torch.get_num_threads()} t0={T0} (stage one {x['stage1_steps']}, stage two "
              f"{x['stage2_steps']}) fusion={FUSION} guidance=7.5 batch=1 scheduler=euler torch={torch.__version__}")
        header = f"| {'config':<14} | {'s/img':>8} | {'vs stock SDXL':>13} |"
        print(header)
        print("|" + "|".join("-" * len(c) for c in header.split("|")[1:-1]) + "|")
        for name, s in med.items():
            print(f"| {name:<14} | {s:>8.3f} | {s / med['sdxl stock']:>13.2f} |")
        print(f"X-Adapter overhead ratio (x-adapter +cn / sdxl stock): {med['x-adapter +cn'] / med['sdxl stock']:.2f}")
        print(f"X-Adapter stage timings, last run: {x['timings']}")
    if not args.no_flops:
        m, u, s15 = flops_per_step()
        k, n = round(T0 * args.steps), args.steps
        print(f"FLOPs per step at 1024² (CFG batch 2, meta device): mapping {m / 1e12:.2f} TFLOP, "
              f"SDXL UNet {u / 1e12:.2f} TFLOP (mapping = {m / u:.1%} of the SDXL UNet), SD 1.5 UNet + "
              f"ControlNet at 512² {s15 / 1e12:.2f} TFLOP")
        est = (n * s15 + (n - k) * (u + m)) / (n * u)
        print(f"X-Adapter FLOP ratio at full size, {n} steps, t0={T0} (SD 1.5 all steps, SDXL + mapping "
              f"{n - k}): {est:.2f}x plain SDXL (UNet work only)")


if __name__ == "__main__":
    main()
