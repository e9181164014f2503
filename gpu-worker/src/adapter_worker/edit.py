"""The `edit` job: CoSINE, single-image editing with spectral shifts (SVDiff paper §3.4).

1. Fine-tune spectral shifts on the one input image captioned with `source_prompt` (no prior
   preservation: the compact parameter space is what keeps one image from over-fitting).
2. With the shifts merged, DDIM-invert the image's latent at guidance 1, conditioned on the
   edited sentence (`target_prompt`): z_T = DDIM⁻¹(z_0).
3. Optionally push the start towards fresh noise ε for larger edits: z = slerp(z_T, ε; α)
   (α = `slerp_alpha`, 0 keeps the inverted latent), then sample with the edited prompt, DDIM η
   = `eta` (η > 0 adds fresh noise every step: another knob for larger edits).

Outputs, in slot order: slot 0 the learned δ (a reusable spectral-shift adapter of that image),
then `num_images` edited images (image i uses seed + i for ε and the DDIM noise).
"""

from __future__ import annotations

import hashlib
import secrets
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import torch
from diffusers import DDIMInverseScheduler, DDIMScheduler, StableDiffusionPipeline
from PIL import Image

from .errors import InvalidInput, OutOfMemory
from .generate import GenerateEngine
from .params import EditParams
from .progress import StepMonitor
from .results import SAFETENSORS_TYPE, FileOutput, JobResult
from .spectral_shift import FORMAT, SpectralShifts, save_shifts
from .train import Offset
from .training import Example, embed_prompts, encode_image, frozen, square_image, train_loop


def slerp(a: torch.Tensor, b: torch.Tensor, alpha: float) -> torch.Tensor:
    """Spherical interpolation: sin((1−α)θ)/sin θ · a + sin(αθ)/sin θ · b, θ the angle between a, b
    (exactly a at α = 0 and b at α = 1; linear when they are nearly parallel)."""
    if alpha <= 0.0:
        return a
    if alpha >= 1.0:
        return b
    af, bf = a.double().flatten(), b.double().flatten()
    cos = torch.clamp(torch.dot(af, bf) / (af.norm() * bf.norm()), -1.0, 1.0)
    theta = torch.arccos(cos)
    if float(theta) < 1e-4:
        out = (1 - alpha) * af + alpha * bf
    else:
        s = torch.sin(theta)
        out = torch.sin((1 - alpha) * theta) / s * af + torch.sin(alpha * theta) / s * bf
    return out.reshape(a.shape).to(a.dtype)


@torch.no_grad()
def ddim_invert(pipe: StableDiffusionPipeline, z0: torch.Tensor, embeds: torch.Tensor, steps: int,
                progress: Callable[[int], None]) -> torch.Tensor:
    """DDIM inversion at guidance 1: run the deterministic DDIM update backwards, z_0 → z_T."""
    inverse: DDIMInverseScheduler = DDIMInverseScheduler.from_config(pipe.scheduler.config)  # type: ignore[assignment]
    inverse.set_timesteps(steps, device=z0.device)
    z = z0.to(pipe.unet.dtype)
    for i, t in enumerate(inverse.timesteps):
        eps = pipe.unet(z, t, embeds.to(pipe.unet.dtype)).sample
        z = inverse.step(eps, int(t), z).prev_sample  # pyright: ignore[reportAttributeAccessIssue]
        progress(i + 1)
    return z


class EditJob:
    def __init__(self, engine: GenerateEngine, svd_cache_dir: Path | None = None) -> None:
        self.engine = engine
        self.bases = engine.spectral_bases(svd_cache_dir)

    def run(self, params: EditParams, inputs: Mapping[str, Path], monitor: StepMonitor | None = None) -> JobResult:
        monitor = monitor or StepMonitor()
        if params.image not in inputs:
            raise InvalidInput(f"the job refers to inputs it does not provide: {[params.image]}")
        t0 = time.perf_counter()
        seed = params.seed if params.seed is not None else secrets.randbelow(2**63)
        size, n_inv = params.resolution, params.inversion_steps
        image = square_image(inputs[params.image], "image", size)
        total = params.steps + n_inv * (1 + params.num_images)
        with self.engine.cache.job_scope():
            base_name, _, pipe = self.engine.pipeline(params.base_model, require="sd15")
            GenerateEngine._reset(pipe)
            base_hash, svd = self.bases.get(base_name, pipe)
            shifts = SpectralShifts({"unet": pipe.unet}, svd, base_hash)
            mean, std = encode_image(pipe, image)
            source = embed_prompts(pipe, [params.source_prompt])
            target = embed_prompts(pipe, [params.target_prompt])
            example = Example(mean, std, source, params.source_prompt)
            prepared = time.perf_counter()
            try:
                with frozen(pipe), shifts.attached():
                    log = train_loop(pipe, shifts.param_groups(params.lr, params.lr_norm), params.steps,
                                     lambda _rng: [(example, 1.0)], seed, Offset(monitor, 0, total))
                tuned = time.perf_counter()
                done = params.steps

                def advance(k: int) -> None:
                    monitor.advance(done + k, total)

                images: list[Image.Image] = []
                with shifts.merged():
                    z_t = ddim_invert(pipe, mean, target, n_inv, advance)
                    done += n_inv
                    inverted = time.perf_counter()
                    old = pipe.scheduler
                    pipe.scheduler = DDIMScheduler.from_config(old.config)
                    try:
                        for i in range(params.num_images):
                            gen = torch.Generator("cpu").manual_seed((seed + i) % 2**63)
                            noise = torch.randn(z_t.shape, generator=gen, dtype=torch.float32).to(z_t.device)
                            start = slerp(z_t.float(), noise, params.slerp_alpha).to(z_t.dtype)

                            def callback(_p: Any, step: int, _t: Any, kw: dict[str, Any], i: int = i
                                         ) -> dict[str, Any]:
                                advance(i * n_inv + step + 1)
                                return kw

                            with torch.inference_mode():
                                out = pipe(prompt=params.target_prompt, latents=start, num_inference_steps=n_inv,
                                           guidance_scale=params.guidance_scale, eta=params.eta, width=size,
                                           height=size, generator=gen,
                                           callback_on_step_end=callback)  # pyright: ignore[reportArgumentType]
                            images.append(out.images[0])  # type: ignore[union-attr]
                    finally:
                        pipe.scheduler = old
            except torch.OutOfMemoryError as err:
                raise OutOfMemory(f"out of device memory editing at {size}x{size}: {err}") from err
            finished = time.perf_counter()
            state = shifts.state()
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / "adapter.safetensors"
                save_shifts(path, state, base_name, base_hash)
                data = path.read_bytes()
        files = [FileOutput(data, SAFETENSORS_TYPE)]
        files += [FileOutput.image(img, (seed + i) % 2**63) for i, img in enumerate(images)]
        return JobResult(files, {
            "seed": seed, "seeds": [(seed + i) % 2**63 for i in range(len(images))],
            "adapter": {"kind": "svdiff", "format": FORMAT, "base_model": base_name, "base_hash": base_hash,
                        "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest(),
                        "parameters": sum(v.numel() for v in state.values()), "tensors": len(state)},
            "settings": params.model_dump(mode="json"),
            "loss": {**log.summary(), "final": round(log.losses[-1], 6)},
            "device": str(self.engine.spec.device), "dtype": str(self.engine.spec.dtype).removeprefix("torch."),
            "timings": {"prepare_s": round(prepared - t0, 4), "tune_s": round(tuned - prepared, 4),
                        "invert_s": round(inverted - tuned, 4), "sample_s": round(finished - inverted, 4),
                        "total_s": round(finished - t0, 4)},
        })
