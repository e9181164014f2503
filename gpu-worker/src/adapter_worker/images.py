"""Reading user-supplied inputs safely: images, precomputed embeddings, and control maps."""

from __future__ import annotations

import warnings
from pathlib import Path

import cv2
import numpy as np
import torch
from PIL import Image, UnidentifiedImageError

from .errors import InvalidInput
from .loaders import read_safetensors

MAX_INPUT_PIXELS = 4096 * 4096  # bounds decoding: a tiny compressed file can expand to gigabytes


def load_image(path: Path, what: str) -> Image.Image:
    """Decode an input image to RGB, or raise InvalidInput saying which input is not an image."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as probe:
                w, h = probe.size
                if w * h > MAX_INPUT_PIXELS:
                    raise InvalidInput(f"{what}: image is {w}x{h}, above the {MAX_INPUT_PIXELS} pixel limit")
                probe.verify()  # catches truncated files before the full decode
            with Image.open(path) as img:
                return img.convert("RGB")
    except (UnidentifiedImageError, Image.DecompressionBombWarning, Image.DecompressionBombError,
            OSError, SyntaxError, ValueError) as err:
        raise InvalidInput(f"{what}: {path.name} is not a readable image ({err})") from err


def canny(image: Image.Image, low: int, high: int) -> Image.Image:
    """Canny edge map (white edges on black, 3 channels) as ControlNet canny models were trained on."""
    gray = cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2GRAY)
    edges = cv2.Canny(gray, low, high)
    return Image.fromarray(np.stack([edges] * 3, axis=-1))


def control_map(path: Path, what: str, width: int, height: int, preprocess: str, low: int, high: int
                ) -> Image.Image:
    """The condition image at output size (edges computed at that size so they line up)."""
    image = load_image(path, what).resize((width, height), Image.Resampling.BICUBIC)
    if preprocess == "canny":
        return canny(image, low, high)
    return image


def load_embeds(path: Path, what: str) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Precomputed IP-Adapter embeddings: a .safetensors with `image_embeds` and optionally
    `negative_image_embeds` of the same shape (F32 or F16).

    What the app sends: base [1, projection_dim] (negative: zeros, or left out); plus
    [1, tokens, hidden_size] (negative: the encoder's penultimate hidden states for an all-zeros
    `pixel_values`, required). [dim] and [tokens, dim] are accepted too. Shapes are checked
    against the IP-Adapter in `ip_adapter.reference_embeds`."""
    try:
        state = read_safetensors(path, what)
    except Exception as err:
        raise InvalidInput(f"{what}: {path.name} is not a readable .safetensors embeddings file ({err})") from err
    if "image_embeds" not in state:
        raise InvalidInput(f"{what}: {path.name} has no `image_embeds` tensor; found {sorted(state)}")
    return state["image_embeds"], state.get("negative_image_embeds")
