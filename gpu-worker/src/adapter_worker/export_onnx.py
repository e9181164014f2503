"""Export models to ONNX for the app's web tier (onnxruntime-node on CPU), each with a JSON sidecar.

    # the IP-Adapter CLIP image encoder a model registry names (what the worker itself would load)
    python -m adapter_worker.export_onnx --models models.json --encoder vit-h --out encoder.onnx
    # the published CLIP ViT-H/14 architecture with random weights (~2.5 GB, external data)
    python -m adapter_worker.export_onnx --full-size-vit-h --out /tmp/vit-h/encoder.onnx
    # a tiny random conv net standing in for a depth/lineart/pose preprocessor
    python -m adapter_worker.export_onnx --control-map --size 256 --out control-map.onnx

The encoder is ONE graph: input `pixel_values` float32 [batch, 3, H, W] (preprocessed exactly as
transformers' CLIPImageProcessor does: see `clip_preprocess.py`), outputs `image_embeds`
[batch, projection_dim] (what IP-Adapter base projects) and `penultimate_hidden_states`
[batch, tokens, hidden] (hidden_states[-2], what IP-Adapter Plus resamples). The sidecar
`<out>.json` (`encoder.onnx` -> `encoder.json`) says how to feed it and what comes out.

Models whose weights pass 2 GB are written with ONNX external data (`<out>.data` beside the
`.onnx`, which refers to it by that name: keep the two together), since one protobuf cannot hold
more than 2 GB. Node metadata (stack traces with local paths) is dropped, so an export of the same
weights gives the same bytes on any machine.
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path
from typing import Any, cast

import torch
from transformers import CLIPImageProcessor, CLIPVisionModelWithProjection

from . import model_builders as mb
from .__main__ import quiet_libraries
from .arch_configs import SD15
from .device import select_device
from .loaders import load_image_encoder
from .registry import ModelRegistry

OPSET = 18  # LayerNormalization needs 17; 18 runs on every onnxruntime(-node) release since 1.14
SCHEMA = "adapter-studio/onnx-sidecar"
SCHEMA_VERSION = 1
EXTERNAL_DATA_BYTES = 1_800_000_000  # weights above this go to `<out>.data` (protobuf limit: 2 GiB)
ENCODER_INPUT = "pixel_values"
ENCODER_OUTPUTS = ("image_embeds", "penultimate_hidden_states")
CONTROL_INPUT, CONTROL_OUTPUT = "image", "map"

log = logging.getLogger("adapter_worker.export_onnx")


class EncoderGraph(torch.nn.Module):
    """The two outputs the IP-Adapter variants use, from one pass of the vision tower."""

    def __init__(self, model: CLIPVisionModelWithProjection) -> None:
        super().__init__()
        self.model = model

    def forward(self, pixel_values: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        out = self.model(pixel_values=pixel_values, output_hidden_states=True)
        assert out.image_embeds is not None and out.hidden_states is not None  # noqa: S101 - asked for above
        return out.image_embeds, out.hidden_states[-2]


class ControlMapNet(torch.nn.Module):
    """Stand-in for a depth/lineart/pose preprocessor: RGB in [0, 1] -> one-channel map in [0, 1]."""

    def __init__(self, width: int = 8) -> None:
        super().__init__()
        self.body = torch.nn.Sequential(
            torch.nn.Conv2d(3, width, 3, padding=1), torch.nn.ReLU(),
            torch.nn.Conv2d(width, width, 3, padding=1), torch.nn.ReLU(),
            torch.nn.Conv2d(width, 1, 3, padding=1),
        )

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.body(image))


def build_control_map_net(seed: int = 0, width: int = 8) -> ControlMapNet:
    torch.manual_seed(seed)
    net = ControlMapNet(width)
    with torch.no_grad():  # default init gives maps of 0.5 +- 0.03; this spreads them over ~0.15-0.85
        last = cast(torch.nn.Conv2d, net.body[-1])
        last.weight.mul_(40.0)
        assert last.bias is not None  # noqa: S101 - Conv2d's default
        last.bias.mul_(40.0)
    return net.eval()


def build_full_size_vit_h(seed: int = 0) -> tuple[CLIPVisionModelWithProjection, CLIPImageProcessor]:
    """laion CLIP ViT-H/14 (the IP-Adapter SD 1.5 encoder: 32 layers, width 1280, 224 px) with
    random weights, from the published config in `arch_configs.SD15`."""
    return mb.build_image_encoder(SD15, seed)


def _param_bytes(module: torch.nn.Module) -> int:
    return sum(t.numel() * t.element_size() for t in [*module.parameters(), *module.buffers()])


def _save(program: Any, out: Path, external: bool) -> list[str]:
    """Save without per-node metadata (local stack traces); returns the external data files."""
    for node in program.model.graph.all_nodes():
        node.metadata_props.clear()
    out.parent.mkdir(parents=True, exist_ok=True)
    data = out.with_name(out.name + ".data")
    data.unlink(missing_ok=True)  # the exporter appends to a stale file rather than replacing it
    program.save(str(out), external_data=external)
    return [data.name] if external else []


def _export(module: torch.nn.Module, sample: torch.Tensor, out: Path, input_name: str,
            output_names: list[str], dynamic_shapes: dict[str, Any] | None) -> list[str]:
    module.eval()
    external = _param_bytes(module) > EXTERNAL_DATA_BYTES
    program = torch.onnx.export(
        module, (sample,), input_names=[input_name], output_names=output_names, opset_version=OPSET,
        dynamo=True, dynamic_shapes=dynamic_shapes, external_data=external, verbose=False,
    )
    if program is None:  # only the legacy exporter returns None
        raise RuntimeError("torch.onnx.export (dynamo) returned no program")
    return _save(program, out, external)


def _write_sidecar(out: Path, sidecar: dict[str, Any]) -> Path:
    path = out.with_suffix(".json")
    path.write_text(json.dumps(sidecar, indent=2) + "\n", encoding="utf-8")
    return path


def _size_dict(value: Any) -> dict[str, int]:
    """A processor size/crop_size (dict or SizeDict) as a plain dict of its set keys."""
    items = value.items() if hasattr(value, "items") else vars(value).items()
    return {k: int(v) for k, v in items if v is not None}


def _resample_name(value: Any) -> str:
    names = {0: "nearest", 1: "lanczos", 2: "bilinear", 3: "bicubic", 4: "box", 5: "hamming"}
    return names.get(int(value), str(value))


def encoder_sidecar(model: CLIPVisionModelWithProjection, processor: CLIPImageProcessor, onnx_name: str,
                    external_data: list[str]) -> dict[str, Any]:
    """What the app needs to feed the encoder and read its outputs (field names are the contract)."""
    cfg = cast(Any, model.config)
    size = _size_dict(processor.size)
    crop = _size_dict(processor.crop_size)
    if "shortest_edge" not in size:
        raise ValueError(f"image processor size {size} is not {{'shortest_edge': N}}; the app only implements that")
    height, width = crop["height"], crop["width"]
    tokens = (int(cfg.image_size) // int(cfg.patch_size)) ** 2 + 1
    hidden, proj = int(cfg.hidden_size), int(cfg.projection_dim)
    p = cast(Any, processor)
    return {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "kind": "clip-image-encoder",
        "onnx_file": onnx_name,
        "external_data": external_data,
        "opset": OPSET,
        "input_name": ENCODER_INPUT,
        "input_shape": ["batch", 3, height, width],
        "input_dtype": "float32",
        "layout": "NCHW",
        "channel_order": "RGB",
        "image_size": int(cfg.image_size),
        # CLIPImageProcessor steps, in order (see clip_preprocess.py for the exact arithmetic)
        "do_convert_rgb": bool(p.do_convert_rgb),
        "do_resize": bool(p.do_resize),
        "shortest_edge": size["shortest_edge"],
        "long_edge_rounding": "floor",  # int(shortest_edge * long / short)
        "resample": _resample_name(p.resample),
        "do_center_crop": bool(p.do_center_crop),
        "crop_size": {"height": height, "width": width},
        "crop_offsets": "top = (resized_height - crop_height) // 2, left = (resized_width - crop_width) // 2",
        "do_rescale": bool(p.do_rescale),
        "rescale_factor": float(p.rescale_factor),
        "do_normalize": bool(p.do_normalize),
        "image_mean": [float(v) for v in p.image_mean],
        "image_std": [float(v) for v in p.image_std],
        "output_names": list(ENCODER_OUTPUTS),
        "outputs": {
            "image_embeds": {"shape": ["batch", proj], "dtype": "float32", "used_by": "ip-adapter base"},
            "penultimate_hidden_states": {"shape": ["batch", tokens, hidden], "dtype": "float32",
                                          "used_by": "ip-adapter plus"},
        },
        "projection_dim": proj,
        "hidden_size": hidden,
        "num_tokens": tokens,
        # the unconditional (negative) embeddings diffusers and the IP-Adapter reference code use
        "negative_embeds": {
            "base": "zeros of image_embeds' shape (not the encoder's output for a zero image)",
            "plus": "penultimate_hidden_states of an all-zeros pixel_values tensor (zeros after normalisation)",
        },
    }


def export_image_encoder(model: CLIPVisionModelWithProjection, processor: CLIPImageProcessor, out: Path
                         ) -> dict[str, Any]:
    """Write `out` (+ `out.data` when large) and its sidecar; returns the sidecar."""
    model = model.float().eval()
    size = int(cast(Any, model.config).image_size)
    # Batch 2 in the sample: a batch of 1 would be specialised to a constant by torch.export.
    sample = torch.zeros(2, 3, size, size)
    batch = torch.export.Dim("batch", min=1, max=1024)
    with torch.no_grad():
        external = _export(EncoderGraph(model), sample, out, ENCODER_INPUT, list(ENCODER_OUTPUTS),
                           {ENCODER_INPUT: {0: batch}})
    sidecar = encoder_sidecar(model, processor, out.name, external)
    _write_sidecar(out, sidecar)
    return sidecar


def export_encoder_from_registry(models: Path, name: str, out: Path) -> dict[str, Any]:
    """Export the registry's encoder `name`, loaded through the worker's own loader (fp32, CPU)."""
    registry = ModelRegistry.load(models)
    entry = registry.resolve(registry.image_encoder(name))
    encoder = load_image_encoder(entry, select_device("cpu"))
    return export_image_encoder(encoder.model, encoder.processor, out)


def control_map_sidecar(onnx_name: str, size: int, kind: str) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "kind": "control-map",
        "control_type": kind,
        "onnx_file": onnx_name,
        "external_data": [],
        "opset": OPSET,
        "input_name": CONTROL_INPUT,
        "input_shape": [1, 3, size, size],
        "input_dtype": "float32",
        "layout": "NCHW",
        "channel_order": "RGB",
        "input_size": {"height": size, "width": size},
        "resize": "stretch to input_size (aspect ratio not kept)",
        "resample": "bicubic",
        "do_rescale": True,
        "rescale_factor": 1 / 255,
        "normalization": "none",
        "input_range": [0.0, 1.0],
        "output_names": [CONTROL_OUTPUT],
        "outputs": {CONTROL_OUTPUT: {"shape": [1, 1, size, size], "dtype": "float32", "range": [0.0, 1.0]}},
        "to_image": "gray = round(map * 255), resized back to the control image's size",
    }


def export_control_map(out: Path, size: int = 256, seed: int = 0, kind: str = "depth") -> dict[str, Any]:
    net = build_control_map_net(seed)
    with torch.no_grad():
        _export(net, torch.rand(1, 3, size, size), out, CONTROL_INPUT, [CONTROL_OUTPUT], None)
    sidecar = control_map_sidecar(out.name, size, kind)
    _write_sidecar(out, sidecar)
    return sidecar


def _files_report(out: Path, sidecar: dict[str, Any]) -> str:
    files = [out, out.with_suffix(".json"), *(out.parent / f for f in sidecar["external_data"])]
    return ", ".join(f"{f} ({f.stat().st_size:,} B)" for f in files)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m adapter_worker.export_onnx", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--models", type=Path, help="model registry config; export its encoder --encoder")
    what.add_argument("--full-size-vit-h", action="store_true",
                      help="CLIP ViT-H/14 (IP-Adapter SD 1.5 encoder) with random weights, for benchmarks")
    what.add_argument("--control-map", action="store_true", help="a tiny random conv net (3 -> 1 channels)")
    parser.add_argument("--encoder", default="vit-h", help="image encoder name in the registry (default vit-h)")
    parser.add_argument("--out", type=Path, required=True, help="the .onnx file to write (sidecar: same name .json)")
    parser.add_argument("--seed", type=int, default=0, help="random weights' seed (--full-size-vit-h, --control-map)")
    parser.add_argument("--size", type=int, default=256, help="--control-map input size in pixels (square)")
    parser.add_argument("--control-type", default="depth", help="--control-map: the control type it stands in for")
    args = parser.parse_args(argv)
    quiet_libraries()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for noisy in ("onnxscript", "onnx_ir"):  # per-initializer optimiser notes
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if args.out.suffix != ".onnx":
        parser.error(f"--out {args.out}: expected a path ending in .onnx")
    started = time.perf_counter()
    if args.models is not None:
        sidecar = export_encoder_from_registry(args.models, args.encoder, args.out)
    elif args.full_size_vit_h:
        model, processor = build_full_size_vit_h(args.seed)
        log.info("built ViT-H/14 with random weights (%.1f GB fp32) in %.0f s",
                 _param_bytes(model) / 1e9, time.perf_counter() - started)
        sidecar = export_image_encoder(model, processor, args.out)
    else:
        sidecar = export_control_map(args.out, args.size, args.seed, args.control_type)
    log.info("wrote %s in %.0f s", _files_report(args.out, sidecar), time.perf_counter() - started)


if __name__ == "__main__":
    main()
