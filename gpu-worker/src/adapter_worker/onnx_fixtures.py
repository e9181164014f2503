"""Rebuild the ONNX fixtures the app's TypeScript tests read (test/fixtures/onnx/), deterministically.

    python -m adapter_worker.onnx_fixtures [--out test/fixtures/onnx]

Writes:
  clip-tiny.onnx, clip-tiny.json     the tiny factory's CLIP image encoder (arch tiny, seed 0: the one
                                     `python -m adapter_worker.tiny` writes) and its sidecar
  control-map-tiny.onnx, .json       a random 3->1 channel conv net (seed 0, input 64x64)
  test-image.png                     320x240 synthetic RGB (gradients, shapes, a checkerboard)
  control-map-input.png              test-image.png stretched to 64x64 with PIL bicubic
  expected.json                      what Python computes for them (torch, CLIPImageProcessor)

The JSON files are then formatted with the app's prettier when node_modules is installed (the
repo's format check covers test/); their content does not depend on it.

`expected.json` holds the processor settings, the preprocessed `pixel_values` of test-image.png,
the encoder outputs for it and for an all-zeros `pixel_values` (Plus' negative), the negative
embeddings each IP-Adapter variant uses, and the control map of control-map-input.png.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import tempfile
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image, ImageDraw

from . import model_builders as mb
from .__main__ import quiet_libraries
from .arch_configs import TINY
from .clip_preprocess import center_crop_offsets, shortest_edge_size, vertical_first
from .device import select_device
from .export_onnx import (
    EncoderGraph,
    build_control_map_net,
    export_control_map,
    export_image_encoder,
)
from .loaders import ImageEncoder, load_image_encoder
from .registry import ModelEntry

REPO = Path(__file__).resolve().parents[3]
DEFAULT_OUT = REPO / "test" / "fixtures" / "onnx"
ENCODER_ONNX, CONTROL_ONNX = "clip-tiny.onnx", "control-map-tiny.onnx"
TEST_IMAGE, CONTROL_INPUT = "test-image.png", "control-map-input.png"
EXPECTED = "expected.json"
IMAGE_W, IMAGE_H = 320, 240
CONTROL_SIZE = 64
SEED = 0
FULL_LIST_MAX = 4096  # tensors up to this many values are stored whole


def make_test_image() -> Image.Image:
    """Deterministic, not square (so resize and center crop both matter), with edges and detail."""
    y, x = np.mgrid[0:IMAGE_H, 0:IMAGE_W]
    rgb = np.stack([x * 255 // (IMAGE_W - 1), y * 255 // (IMAGE_H - 1), (x + y) * 255 // (IMAGE_W + IMAGE_H - 2)],
                   axis=-1).astype(np.uint8)
    image = Image.fromarray(rgb)
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 30, 120, 150), fill=(250, 240, 20))
    draw.ellipse((150, 40, 290, 200), fill=(30, 60, 200), outline=(255, 255, 255), width=4)
    draw.polygon([(60, 230), (140, 160), (200, 230)], fill=(200, 30, 40))
    draw.line((0, 0, IMAGE_W - 1, IMAGE_H - 1), fill=(0, 0, 0), width=3)
    for i in range(8):  # a checkerboard: high frequencies the resize filter must handle
        for j in range(8):
            if (i + j) % 2 == 0:
                draw.rectangle((240 + 8 * i, 170 + 8 * j, 247 + 8 * i, 177 + 8 * j), fill=(255, 255, 255))
    return image


def _floats(t: torch.Tensor | np.ndarray) -> list[float]:
    """float32 values as the shortest decimal that reads back to the same float32."""
    arr = t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)
    return [float(str(v)) for v in arr.astype(np.float32).ravel()]


def _tensor(t: torch.Tensor | np.ndarray, full: bool = True) -> dict[str, Any]:
    arr = t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)
    out: dict[str, Any] = {"shape": list(arr.shape), "sum": float(arr.astype(np.float64).sum())}
    if full and arr.size <= FULL_LIST_MAX:
        out["data"] = _floats(arr)
    else:
        out["first_64"] = _floats(arr.ravel()[:64])
    return out


def load_tiny_encoder(folder: Path) -> ImageEncoder:
    """The encoder + processor exactly as the worker loads them (fp32, CPU)."""
    return load_image_encoder(ModelEntry(path=folder), select_device("cpu"))


@torch.no_grad()
def compute_expected(encoder: ImageEncoder, image: Image.Image, control_input: Image.Image) -> dict[str, Any]:
    """Everything expected.json records, computed fresh (the test compares this with the file)."""
    proc: Any = encoder.processor
    size = int(proc.size["shortest_edge"])
    crop_h, crop_w = int(proc.crop_size["height"]), int(proc.crop_size["width"])
    pixels = proc(image, return_tensors="pt").pixel_values
    graph = EncoderGraph(encoder.model.float().eval())
    embeds, penult = graph(pixels)
    zeros = torch.zeros_like(pixels)
    zero_embeds, zero_penult = graph(zeros)
    res_h, res_w = shortest_edge_size(image.height, image.width, size)
    top, left = center_crop_offsets(res_h, res_w, crop_h, crop_w)

    net = build_control_map_net(SEED)
    cin = torch.from_numpy(np.asarray(control_input, dtype=np.uint8).astype(np.float32) / 255.0)
    cin = cin.permute(2, 0, 1)[None].contiguous()
    cmap = net(cin)
    return {
        "generated_by": "python -m adapter_worker.onnx_fixtures (gpu-worker)",
        "versions": {p: version(p) for p in ("torch", "transformers", "pillow", "onnx", "onnxruntime")},
        "image": {"file": TEST_IMAGE, "width": image.width, "height": image.height, "mode": "RGB"},
        "encoder": {"onnx_file": ENCODER_ONNX, "sidecar": ENCODER_ONNX.replace(".onnx", ".json"),
                    "source": "python -m adapter_worker.tiny (arch tiny, seed 0): image_encoder/",
                    "projection_dim": int(encoder.model.config.projection_dim),
                    "hidden_size": int(encoder.model.config.hidden_size)},
        "processor": {
            "class": type(proc).__name__,
            "do_convert_rgb": bool(proc.do_convert_rgb),
            "do_resize": bool(proc.do_resize),
            "size": {"shortest_edge": size},
            "resample": "bicubic",
            "resample_pil": int(proc.resample),
            "do_center_crop": bool(proc.do_center_crop),
            "crop_size": {"height": crop_h, "width": crop_w},
            "do_rescale": bool(proc.do_rescale),
            "rescale_factor": float(proc.rescale_factor),
            "do_normalize": bool(proc.do_normalize),
            "image_mean": [float(v) for v in proc.image_mean],
            "image_std": [float(v) for v in proc.image_std],
            # what those settings did to test-image.png
            "resized": {"height": res_h, "width": res_w},
            "first_pass": "vertical" if vertical_first(image.height, image.width, res_h, res_w) else "horizontal",
            "crop_offsets": {"top": top, "left": left},
        },
        "pixel_values": _tensor(pixels),
        "image_embeds": _tensor(embeds),
        "penultimate_hidden_states": _tensor(penult),
        "zeros_input": {
            "pixel_values": {"shape": list(zeros.shape), "fill": 0.0},
            "image_embeds": _tensor(zero_embeds),
            "penultimate_hidden_states": _tensor(zero_penult),
        },
        "negative_embeds": {
            "base": {"rule": "zeros", "shape": list(embeds.shape)},
            "plus": {"rule": "zeros_input.penultimate_hidden_states", "shape": list(penult.shape)},
        },
        "control_map": {
            "onnx_file": CONTROL_ONNX, "sidecar": CONTROL_ONNX.replace(".onnx", ".json"),
            "input_file": CONTROL_INPUT,
            "input_from": f"PIL Image.resize(({CONTROL_SIZE}, {CONTROL_SIZE}), Resampling.BICUBIC) of {TEST_IMAGE} "
                          "(stretched: aspect ratio not kept), saved as PNG",
            "input": "float32(uint8 / 255), NCHW, RGB, no normalisation",
            "input_shape": list(cin.shape),
            "map": _tensor(cmap),
        },
    }


def build_fixtures(out: Path) -> dict[str, Any]:
    out.mkdir(parents=True, exist_ok=True)
    image = make_test_image()
    image.save(out / TEST_IMAGE, optimize=True)
    control_input = image.resize((CONTROL_SIZE, CONTROL_SIZE), Image.Resampling.BICUBIC)
    control_input.save(out / CONTROL_INPUT, optimize=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "image_encoder"
        model, processor = mb.build_image_encoder(TINY, SEED)  # what tiny.build_model_set saves
        model.save_pretrained(str(folder))
        processor.save_pretrained(str(folder))
        encoder = load_tiny_encoder(folder)
        export_image_encoder(encoder.model, encoder.processor, out / ENCODER_ONNX)
        expected = compute_expected(encoder, Image.open(out / TEST_IMAGE).convert("RGB"),
                                    Image.open(out / CONTROL_INPUT).convert("RGB"))
    export_control_map(out / CONTROL_ONNX, size=CONTROL_SIZE, seed=SEED, kind="depth")
    expected["files"] = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                         for p in sorted(out.iterdir()) if p.suffix in (".onnx", ".png")}
    (out / EXPECTED).write_text(json.dumps(expected, indent=1) + "\n", encoding="utf-8")
    _prettier(sorted(out.glob("*.json")))
    return expected


def _prettier(paths: list[Path]) -> None:
    """Format the JSON as the repo's `prettier --check .` wants it (test/ is checked), when the
    app's node_modules are installed; the content is the same either way."""
    prettier = REPO / "node_modules" / ".bin" / "prettier"
    if prettier.is_file() and paths:
        subprocess.run([str(prettier), "--write", "--log-level", "warn", *map(str, paths)],  # noqa: S603
                       check=True, cwd=REPO)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"folder (default {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    quiet_libraries()
    build_fixtures(args.out)
    for path in sorted(args.out.iterdir()):
        print(f"{path} ({path.stat().st_size:,} B)")


if __name__ == "__main__":
    main()
