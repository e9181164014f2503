"""Speed of personal-adapter training and CoSINE editing.

    python bench/bench_adapters.py          # full SD 1.5 shapes, 512x512, CUDA fp16
    python bench/bench_adapters.py --tiny   # tiny architectures on CPU (runs anywhere; smoke test)

Random weights with the published SD 1.5 shapes (no hub here): the timings are real, the images
noise. Rows:

- SVD cache build: the one-time fp32 SVD of every UNet conv/linear weight (and writing it), then
  reading it back from disk (what a worker restart costs).
- SVDiff training steps/s at batch 1: `rebuild` (every layer's W + U·diag(Δ)·Vᵀ rebuilt every
  step: the naive way), `factors` (every layer applies the factors), `auto` (the per-layer choice
  in spectral_shift.py, what jobs use).
- LoRA training steps/s (rank 4, peft on the attention projections).
- CoSINE end to end: an `edit` job through `EditJob.run` (tune + DDIM inversion + sampling),
  with its own phase timings.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import numpy as np
import torch
from diffusers import StableDiffusionPipeline
from PIL import Image

from adapter_worker import model_builders as mb
from adapter_worker.__main__ import quiet_libraries
from adapter_worker.arch_configs import SD15, TINY, ArchSet
from adapter_worker.cache import ModelCache
from adapter_worker.device import DeviceSpec, module_bytes, select_device
from adapter_worker.edit import EditJob
from adapter_worker.generate import GenerateEngine
from adapter_worker.params import EditParams
from adapter_worker.progress import StepMonitor
from adapter_worker.registry import ModelRegistry, RegistryConfig
from adapter_worker.spectral_shift import ForwardPolicy, SpectralShifts, load_or_build_svd
from adapter_worker.train import lora_training
from adapter_worker.training import Example, embed_prompts, encode_image, frozen, train_loop


def sync(spec: DeviceSpec) -> None:
    if spec.is_cuda:
        torch.cuda.synchronize(spec.device)


def build(arch: ArchSet, spec: DeviceSpec, tmp: Path) -> GenerateEngine:
    tokenizer, ids = mb.build_tokenizer(tmp / "tokenizer")
    pipe = StableDiffusionPipeline(vae=mb.build_vae(arch, 0).eval(), text_encoder=mb.build_text_encoder(arch, 0, ids),
                                   tokenizer=tokenizer, unet=mb.build_unet(arch, 0).eval(),
                                   scheduler=mb.build_scheduler(arch), safety_checker=None,  # type: ignore[arg-type]
                                   feature_extractor=None, requires_safety_checker=False)  # type: ignore[arg-type]
    pipe.to(spec.device, spec.dtype)
    pipe.set_progress_bar_config(disable=True)
    config = RegistryConfig.model_validate({"default_base_model": "sd15",
                                            "base_models": {"sd15": {"path": "in-memory"}}})
    engine = GenerateEngine(ModelRegistry(config, tmp), spec, ModelCache(1 << 40))
    engine.cache.put("base:sd15", pipe, module_bytes(pipe.unet, pipe.vae, pipe.text_encoder))
    return engine


class Timer(StepMonitor):
    def __init__(self, spec: DeviceSpec) -> None:
        super().__init__()
        self.spec, self.stamps = spec, []

    def advance(self, step: int, total: int) -> None:
        sync(self.spec)
        self.stamps.append(time.perf_counter())


def steps_per_s(stamps: list[float], warmup: int) -> float:
    s = stamps[warmup:]
    return (len(s) - 1) / (s[-1] - s[0])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench_adapters")
    parser.add_argument("--tiny", action="store_true", help="tiny architectures on CPU")
    parser.add_argument("--size", type=int, default=None, help="image side (default 512; tiny 64)")
    parser.add_argument("--train-steps", type=int, default=None, help="timed training steps (default 30; tiny 30)")
    parser.add_argument("--edit-steps", type=int, default=500, help="CoSINE tuning steps")
    parser.add_argument("--inversion-steps", type=int, default=50)
    parser.add_argument("--threads", type=int, default=None, help="CPU threads (torch.set_num_threads)")
    parser.add_argument("--out", type=Path, default=None, help="also write the table here")
    args = parser.parse_args(argv)
    quiet_libraries()
    if args.threads:
        torch.set_num_threads(args.threads)
    arch = TINY if args.tiny else SD15
    spec = select_device("cpu") if args.tiny else select_device()
    size = args.size or (64 if args.tiny else 512)
    n_train = args.train_steps or 30
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as tmp_s:
        tmp = Path(tmp_s)
        engine = build(arch, spec, tmp)
        _, _, pipe = engine.pipeline("sd15")

        # 1. SVD cache
        sync(spec)
        t0 = time.perf_counter()
        base_hash, svd = load_or_build_svd({"unet": pipe.unet}, tmp / "svd")
        sync(spec)
        built = time.perf_counter() - t0
        t0 = time.perf_counter()
        load_or_build_svd({"unet": pipe.unet}, tmp / "svd")
        sync(spec)
        loaded = time.perf_counter() - t0
        file_mb = sum(f.stat().st_size for f in (tmp / "svd").glob("*.safetensors")) / 1e6
        rows += [("SVD cache build (compute + write)", f"{built:.2f} s ({len(svd)} layers, {file_mb:.0f} MB)"),
                 ("SVD cache load from disk", f"{loaded:.2f} s")]
        engine.cache.put("svd:sd15:unet", (base_hash, svd), 0)  # what SpectralBases.get looks up

        # 2. training throughput
        rng = np.random.default_rng(0)
        image = Image.fromarray(rng.integers(0, 255, (size, size, 3), dtype=np.uint8))
        mean, std = encode_image(pipe, image)
        ex = Example(mean, std, embed_prompts(pipe, ["a photo of sks dog"]), "a photo of sks dog")
        shifts = SpectralShifts({"unet": pipe.unet}, svd, base_hash)
        n_params = shifts.num_parameters()
        policies: list[ForwardPolicy] = ["rebuild", "factors", "auto"]
        rates: dict[str, float] = {}
        with frozen(pipe):
            for policy in policies:
                shifts.zero_()
                timer = Timer(spec)
                with shifts.attached(policy) as patched:
                    train_loop(pipe, shifts.param_groups(), n_train + 3, lambda _r: [(ex, 1.0)], 0, timer)
                    chosen = sum("factors" in p.used for p in patched.values())
                rates[policy] = steps_per_s(timer.stamps, 3)
                note = f" ({chosen}/{len(patched)} layers use factors)" if policy == "auto" else ""
                rows.append((f"SVDiff train steps/s, {policy}", f"{rates[policy]:.2f}{note}"))
            rows.append(("SVDiff auto vs naive rebuild", f"{rates['auto'] / rates['rebuild']:.2f}x"))
            timer = Timer(spec)
            with lora_training(pipe, 4) as params:
                lora_n = sum(p.numel() for p in params)
                train_loop(pipe, [{"params": params, "lr": 1e-4}], n_train + 3, lambda _r: [(ex, 1.0)], 0, timer)
            rows.append(("LoRA (rank 4) train steps/s", f"{steps_per_s(timer.stamps, 3):.2f}"))
        rows.append(("trainable parameters: SVDiff / LoRA r4", f"{n_params} / {lora_n}"))

        # 3. CoSINE end to end
        photo = tmp / "photo.png"
        image.save(photo)
        job = EditJob(engine, tmp / "svd")
        params = EditParams.model_validate({
            "image": "photo", "source_prompt": "a photo of a dog", "target_prompt": "a photo of a cat",
            "steps": args.edit_steps, "resolution": size, "inversion_steps": args.inversion_steps, "seed": 0})
        sync(spec)
        result = job.run(params, {"photo": photo})
        t = result.metadata["timings"]
        rows.append((f"CoSINE end to end ({args.edit_steps} tune + {args.inversion_steps} invert + "
                     f"{args.inversion_steps} sample steps)",
                     f"{t['total_s']:.2f} s (tune {t['tune_s']:.2f}, invert {t['invert_s']:.2f}, "
                     f"sample {t['sample_s']:.2f})"))
    name = torch.cuda.get_device_name(spec.device) if spec.is_cuda else platform.processor() or "cpu"
    head = (f"device={spec.device} ({name}) dtype={str(spec.dtype).removeprefix('torch.')} arch={arch.name} "
            f"size={size} batch=1 threads={torch.get_num_threads()} torch={torch.__version__}")
    width = max(len(r[0]) for r in rows)
    lines = [head, f"| {'measure'.ljust(width)} | result |", f"|{'-' * (width + 2)}|--------|"]
    lines += [f"| {a.ljust(width)} | {b} |" for a, b in rows]
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
