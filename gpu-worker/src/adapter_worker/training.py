"""The fine-tuning loop shared by the `train` (personal adapter) and `edit` (CoSINE) jobs.

DreamBooth-style denoising objective on a frozen model with a small set of trainable parameters
(SVDiff spectral shifts or peft LoRA layers):

    z0 = VAE(x)·s,  ε ~ N(0, I),  t ~ U{0..T−1},  z_t = √ᾱ_t z0 + √(1−ᾱ_t) ε,
    L = ‖ε_θ(z_t, t, c) − target‖²   (target ε, or v for v-prediction models)
      + λ_prior ‖ε_θ(z_t', t', c_class) − target'‖²   (class prior preservation, optional)
      + λ_unmix L_unmix                                (Cut-Mix-Unmix collages, see cut_mix.py)

The VAE and the text encoder run without gradients (the text encoder's shifts train only when
asked); images are encoded once and their latent distribution is re-sampled every step.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from diffusers import DDPMScheduler, StableDiffusionPipeline
from PIL import Image

from .errors import InvalidInput
from .images import load_image
from .progress import StepMonitor


@dataclass
class Example:
    """One training example: latent distribution (mean, std), text embedding, unmix spec."""

    mean: torch.Tensor  # [1, 4, h, w]
    std: torch.Tensor
    embeds: torch.Tensor | None  # [1, 77, D]; None when the text encoder trains (then `prompt`)
    prompt: str
    unmix: tuple[list[list[int]], list[str]] | None = None  # subject token positions, their sides


@dataclass
class LossLog:
    losses: list[float] = field(default_factory=list)
    unmix: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, float]:
        n = min(10, len(self.losses))
        if n == 0:
            return {}
        return {"first10_mean": round(sum(self.losses[:n]) / n, 6), "last10_mean": round(sum(self.losses[-n:]) / n, 6)}


def square_image(path: object, what: str, size: int) -> Image.Image:
    """Decode, check it is at least `size` on its short side, centre-crop square, resize to size."""
    from pathlib import Path

    image = load_image(Path(str(path)), what)
    w, h = image.size
    if min(w, h) < size:
        raise InvalidInput(f"{what}: image is {w}x{h}, smaller than the training resolution {size}x{size}")
    s = min(w, h)
    left, top = (w - s) // 2, (h - s) // 2
    return image.crop((left, top, left + s, top + s)).resize((size, size), Image.Resampling.BICUBIC)


def to_pixels(image: Image.Image, device: torch.device, dtype: torch.dtype) -> torch.Tensor:
    import numpy as np

    arr = torch.from_numpy(np.asarray(image, dtype=np.float32) / 127.5 - 1.0)
    return arr.permute(2, 0, 1)[None].to(device, dtype)


@torch.no_grad()
def encode_image(pipe: StableDiffusionPipeline, image: Image.Image) -> tuple[torch.Tensor, torch.Tensor]:
    """Scaled latent distribution (mean, std) of an image."""
    vae = pipe.vae
    dist = vae.encode(to_pixels(image, vae.device, vae.dtype)).latent_dist  # pyright: ignore[reportAttributeAccessIssue]
    scale = float(vae.config["scaling_factor"])
    return dist.mean.float() * scale, dist.std.float() * scale


def embed_prompts(pipe: StableDiffusionPipeline, prompts: Sequence[str], grad: bool = False) -> torch.Tensor:
    tok = pipe.tokenizer
    ids = tok(list(prompts), padding="max_length", max_length=tok.model_max_length, truncation=True,
              return_tensors="pt").input_ids.to(pipe.text_encoder.device)
    with torch.set_grad_enabled(grad):
        return pipe.text_encoder(ids)[0]


@contextmanager
def frozen(pipe: StableDiffusionPipeline) -> Iterator[None]:
    """No gradients for the base weights while training (restored after: the pipeline is shared)."""
    flags = [(p, p.requires_grad) for m in (pipe.unet, pipe.vae, pipe.text_encoder) for p in m.parameters()]
    try:
        for p, _ in flags:
            p.requires_grad_(False)
        yield
    finally:
        for p, flag in flags:
            p.requires_grad_(flag)


def train_loop(pipe: StableDiffusionPipeline, param_groups: list[dict[str, object]], steps: int,
               next_batch: Callable[[random.Random], list[tuple[Example, float]]], seed: int,
               monitor: StepMonitor | None = None, unmix_weight: float = 0.0,
               capture: object | None = None, text_grad: bool = False, total_steps: int | None = None,
               ) -> LossLog:
    """`steps` optimisation steps of the objective in the module doc; returns the loss per step.

    next_batch(rng) gives the step's examples with their loss weights (instance 1.0, class prior
    λ_prior). `capture` is a cut_mix capture store (maps of the instance example are read).
    """
    from .cut_mix import unmix_loss

    unet = pipe.unet
    device = unet.device
    noise_sched: DDPMScheduler = DDPMScheduler.from_config(pipe.scheduler.config)  # type: ignore[assignment]
    alphas = noise_sched.alphas_cumprod.to(device)
    T = int(noise_sched.config["num_train_timesteps"])
    v_pred = noise_sched.config["prediction_type"] == "v_prediction"
    optimizer = torch.optim.AdamW(param_groups, weight_decay=0.0)  # pyright: ignore[reportArgumentType]
    rng = random.Random(seed)  # noqa: S311 (sampling training data, not secrets)
    gen = torch.Generator(device="cpu").manual_seed(seed)
    log = LossLog()
    monitor = monitor or StepMonitor()
    params = [p for g in param_groups for p in g["params"]]  # type: ignore[attr-defined]
    # fp16 models (CUDA default): the trainable parameters are fp32, but gradients pass through
    # fp16 activations and would underflow; dynamic loss scaling keeps them (a no-op otherwise).
    scaler = torch.amp.GradScaler(device.type, enabled=unet.dtype == torch.float16)
    for step in range(steps):
        batch = next_batch(rng)
        mean = torch.cat([ex.mean for ex, _ in batch])
        std = torch.cat([ex.std for ex, _ in batch])
        z0 = mean + std * torch.randn(mean.shape, generator=gen).to(device)
        noise = torch.randn(z0.shape, generator=gen).to(device)
        t = torch.randint(0, T, (len(batch),), generator=gen).to(device)
        a = alphas[t].float()[:, None, None, None]
        zt = a.sqrt() * z0 + (1 - a).sqrt() * noise
        target = a.sqrt() * noise - (1 - a).sqrt() * z0 if v_pred else noise
        if text_grad:
            embeds = embed_prompts(pipe, [ex.prompt for ex, _ in batch], grad=True)
        else:
            embeds = torch.cat([ex.embeds for ex, _ in batch if ex.embeds is not None])
        if capture is not None:
            capture.maps.clear()  # type: ignore[attr-defined]
            capture.enabled = batch[0][0].unmix is not None  # type: ignore[attr-defined]
        pred = unet(zt.to(unet.dtype), t, embeds.to(unet.dtype)).sample.float()
        per = F.mse_loss(pred, target, reduction="none").mean(dim=(1, 2, 3))
        weights = torch.tensor([w for _, w in batch], device=device)
        loss = (per * weights).sum()
        first = batch[0][0]
        if capture is not None and first.unmix is not None and unmix_weight > 0:
            heads_first = [m.reshape(len(batch), -1, *m.shape[1:])[0].float() for m in capture.maps]  # type: ignore[attr-defined]
            u = unmix_loss(heads_first, (mean.shape[2], mean.shape[3]), first.unmix[0], first.unmix[1])
            loss = loss + unmix_weight * u
            log.unmix.append(float(u.detach()))
        optimizer.zero_grad(set_to_none=True)
        scaler.scale(loss).backward()
        scaler.unscale_(optimizer)
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        scaler.step(optimizer)
        scaler.update()
        log.losses.append(float(per[0].detach()))
        monitor.advance(step + 1, total_steps or steps)
    if capture is not None:
        capture.enabled = False  # type: ignore[attr-defined]
    return log
