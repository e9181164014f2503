"""A plain-numpy restatement of what transformers' CLIPImageProcessor (PIL backend, the one used
here: torchvision is not installed) does to an RGB image, step by step and bit for bit.

It is the specification the app's TypeScript port follows (the test suite checks this module
against CLIPImageProcessor and Pillow exactly, so the description below cannot drift):

1. RGB, uint8, [H, W, 3].
2. Resize so the SHORT side is `shortest_edge`; the long side is `int(shortest_edge * long / short)`
   (truncated, not rounded). With Pillow's BICUBIC filter (`resample` 3), which is:
   - separable: two 1-D passes through an intermediate uint8 image (a pass is skipped when its
     size does not change). Pillow 13 runs the VERTICAL pass first when
     `(in_h - out_h) > 0 and (in_h - out_h) > 2 * (in_w - out_w)` (integers), else the horizontal
     pass first; the order changes the result by +-1 where it rounds;
   - per output index `i` of a pass from size `n_in` to `n_out`: `scale = n_in / n_out`,
     `fs = max(scale, 1)` (antialiasing: the kernel stretches when downscaling),
     `support = 2 * fs`, `center = (i + 0.5) * scale`, `lo = max(int(center - support + 0.5), 0)`,
     `hi = min(int(center + support + 0.5), n_in)`; weights `w_j = cubic((j - center + 0.5) / fs)`
     for `j` in `[lo, hi)`, with `cubic` Keys' kernel a = -0.5 (|x|<1: 1.5|x|^3 - 2.5|x|^2 + 1;
     1<=|x|<2: -0.5|x|^3 + 2.5|x|^2 - 4|x| + 2; else 0), divided by their sum (all in float64);
   - the weights then become fixed point: `k = trunc(w * 2^22 + 0.5)` (`- 0.5` for negative w);
     each output is `(2^21 + sum(k_j * pixel_j)) >> 22` clamped to [0, 255] (integer arithmetic).
3. Center crop to `crop_size`: `top = (H - crop_h) // 2`, `left = (W - crop_w) // 2` (floor);
   (an image smaller than the crop would be zero-padded; a shortest_edge resize never is).
4. Rescale: `float32(float64(pixel) * rescale_factor)` (rescale_factor = 1/255 as a double).
5. Normalise per channel in float32: `(x - float32(mean[c])) / float32(std[c])`.
6. Channels first: [1, 3, crop_h, crop_w], channel order R, G, B.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

PRECISION_BITS = 32 - 8 - 2  # Pillow's fixed point for 8-bit images


def _cubic(x: np.ndarray) -> np.ndarray:
    a = -0.5
    x = np.abs(x)
    near = ((a + 2.0) * x - (a + 3.0)) * x * x + 1
    far = (((x - 5) * x + 8) * x - 4) * a
    return np.where(x < 1.0, near, np.where(x < 2.0, far, 0.0))


def _coeffs(n_in: int, n_out: int) -> tuple[np.ndarray, np.ndarray]:
    """(index [n_out, ksize], fixed-point weight [n_out, ksize]) of one bicubic pass."""
    scale = n_in / n_out
    fs = max(scale, 1.0)
    support = 2.0 * fs
    ksize = int(np.ceil(support)) * 2 + 1
    index = np.zeros((n_out, ksize), dtype=np.int64)
    weight = np.zeros((n_out, ksize), dtype=np.int64)
    for i in range(n_out):
        center = (i + 0.5) * scale
        lo = max(int(center - support + 0.5), 0)
        hi = min(int(center + support + 0.5), n_in)
        taps = np.arange(lo, hi)
        w = _cubic((taps - center + 0.5) / fs)
        total = w.sum()
        if total != 0.0:
            w = w / total
        fixed = np.where(w < 0, w * (1 << PRECISION_BITS) - 0.5, w * (1 << PRECISION_BITS) + 0.5)
        index[i, : len(taps)] = taps
        weight[i, : len(taps)] = np.trunc(fixed).astype(np.int64)
    return index, weight


def _pass(image: np.ndarray, n_out: int, axis: int) -> np.ndarray:
    """Resample uint8 `image` along `axis` (0: rows/height, 1: columns/width)."""
    src = np.moveaxis(image, axis, 0).astype(np.int64)  # [n_in, other, C]
    index, weight = _coeffs(src.shape[0], n_out)
    acc = np.full((n_out, *src.shape[1:]), 1 << (PRECISION_BITS - 1), dtype=np.int64)
    for t in range(index.shape[1]):
        acc += src[index[:, t]] * weight[:, t, None, None]
    out = np.clip(acc >> PRECISION_BITS, 0, 255).astype(np.uint8)
    return np.moveaxis(out, 0, axis)


def pil_bicubic_resize(rgb: np.ndarray, width: int, height: int) -> np.ndarray:
    """Pillow's `Image.resize((width, height), BICUBIC)` on a uint8 [H, W, C] array."""
    in_h, in_w = rgb.shape[:2]
    out = rgb
    if vertical_first(in_h, in_w, height, width):
        out = _pass(out, height, axis=0) if height != in_h else out
        out = _pass(out, width, axis=1) if width != in_w else out
    else:
        out = _pass(out, width, axis=1) if width != in_w else out
        out = _pass(out, height, axis=0) if height != in_h else out
    return out.copy() if out is rgb else out


def vertical_first(in_h: int, in_w: int, out_h: int, out_w: int) -> bool:
    """Pillow 13's pass order (libImaging ImagingResample, checked against it by the tests)."""
    return in_h - out_h > 0 and in_h - out_h > 2 * (in_w - out_w)


def shortest_edge_size(height: int, width: int, shortest_edge: int) -> tuple[int, int]:
    """(height, width) after the resize: short side = shortest_edge, long side truncated."""
    if width <= height:
        return int(shortest_edge * height / width), shortest_edge
    return shortest_edge, int(shortest_edge * width / height)


def center_crop_offsets(height: int, width: int, crop_h: int, crop_w: int) -> tuple[int, int]:
    return (height - crop_h) // 2, (width - crop_w) // 2


def clip_preprocess(rgb: np.ndarray, shortest_edge: int, crop_size: tuple[int, int], mean: Sequence[float],
                    std: Sequence[float], rescale_factor: float = 1 / 255) -> np.ndarray:
    """uint8 RGB [H, W, 3] -> float32 pixel_values [1, 3, crop_h, crop_w], as CLIPImageProcessor."""
    h, w = shortest_edge_size(rgb.shape[0], rgb.shape[1], shortest_edge)
    resized = pil_bicubic_resize(rgb, w, h)
    crop_h, crop_w = crop_size
    if h < crop_h or w < crop_w:
        raise ValueError(f"resized image {w}x{h} is smaller than the crop {crop_w}x{crop_h}")
    top, left = center_crop_offsets(h, w, crop_h, crop_w)
    cropped = resized[top:top + crop_h, left:left + crop_w]
    x = (cropped.astype(np.float64) * rescale_factor).astype(np.float32)
    x = (x - np.asarray(mean, dtype=np.float32)) / np.asarray(std, dtype=np.float32)
    return np.ascontiguousarray(x.transpose(2, 0, 1)[None])


def clip_preprocess_from_sidecar(rgb: np.ndarray, sidecar: dict[str, Any]) -> np.ndarray:
    """The same, with the settings an export sidecar (`export_onnx.encoder_sidecar`) records."""
    crop = sidecar["crop_size"]
    return clip_preprocess(rgb, int(sidecar["shortest_edge"]), (int(crop["height"]), int(crop["width"])),
                           sidecar["image_mean"], sidecar["image_std"], float(sidecar["rescale_factor"]))
