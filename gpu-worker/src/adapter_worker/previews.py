"""Cheap latent-to-RGB previews: a 4x3 linear map instead of running the VAE decoder.

The factors are the least-squares fit of SD 1.x latents to decoded RGB that ComfyUI and A1111
use for their fast previews; good enough to show composition while a job runs.
"""

from __future__ import annotations

import io

import torch
from PIL import Image

SD15_LATENT_RGB = torch.tensor([
    [0.3512, 0.2297, 0.3227],
    [0.3250, 0.4974, 0.2350],
    [-0.2829, 0.1762, 0.2721],
    [-0.2120, -0.2616, -0.7177],
])


def latents_to_preview(latents: torch.Tensor, max_side: int = 256) -> Image.Image:
    """First sample of a [B, 4, h, w] latent batch as a small RGB image (8x upscaled, capped)."""
    lat = latents[0].detach().float().cpu()
    rgb = torch.einsum("chw,cr->hwr", lat, SD15_LATENT_RGB)
    rgb = ((rgb + 1.0) / 2.0).clamp(0, 1).mul(255).round().to(torch.uint8).numpy()
    image = Image.fromarray(rgb)
    h, w = lat.shape[-2:]
    scale = min(8, max(1, max_side // max(h, w)))
    return image.resize((w * scale, h * scale), Image.Resampling.BILINEAR)


def png_bytes(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()
