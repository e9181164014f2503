"""ONNX export for the app's web tier: the committed fixtures (test/fixtures/onnx) are what the
worker's own encoder computes, onnxruntime agrees with torch, and the preprocessing spec the
TypeScript port follows (clip_preprocess.py) is CLIPImageProcessor and Pillow to the bit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch
from PIL import Image

from adapter_worker import export_onnx, onnx_fixtures
from adapter_worker.clip_preprocess import clip_preprocess_from_sidecar, pil_bicubic_resize
from adapter_worker.export_onnx import EncoderGraph, build_control_map_net
from adapter_worker.loaders import ImageEncoder

FIXTURES = onnx_fixtures.DEFAULT_OUT
ATOL = 1e-5


def session(path: Path) -> ort.InferenceSession:
    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])


def run_onnx(sess: ort.InferenceSession | Path, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
    sess = session(sess) if isinstance(sess, Path) else sess
    return [np.asarray(out) for out in sess.run(None, feeds)]


@pytest.fixture(scope="module")
def encoder(models_dir: Path) -> ImageEncoder:
    """The tiny set's encoder (the one `python -m adapter_worker.tiny` writes), as the worker loads it."""
    return onnx_fixtures.load_tiny_encoder(models_dir / "image_encoder")


@pytest.fixture(scope="module")
def expected() -> dict[str, Any]:
    return json.loads((FIXTURES / onnx_fixtures.EXPECTED).read_text(encoding="utf-8"))


def torch_outputs(encoder: ImageEncoder, pixels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    with torch.no_grad():
        embeds, penult = EncoderGraph(encoder.model)(torch.from_numpy(pixels))
    return embeds.numpy(), penult.numpy()


def test_committed_encoder_matches_torch(encoder: ImageEncoder, expected: dict[str, Any]) -> None:
    sess = session(FIXTURES / onnx_fixtures.ENCODER_ONNX)
    assert [i.name for i in sess.get_inputs()] == ["pixel_values"]
    assert sess.get_inputs()[0].shape == ["batch", 3, 32, 32]
    assert [o.name for o in sess.get_outputs()] == ["image_embeds", "penultimate_hidden_states"]
    image_pixels = np.asarray(expected["pixel_values"]["data"], dtype=np.float32).reshape(1, 3, 32, 32)
    rng = np.random.default_rng(0)
    for pixels in (image_pixels, np.zeros_like(image_pixels),
                   rng.standard_normal((3, 3, 32, 32)).astype(np.float32)):  # dynamic batch
        got = run_onnx(sess, {"pixel_values": pixels})
        want = torch_outputs(encoder, pixels)
        assert got[0].shape == (len(pixels), 16) and got[1].shape == (len(pixels), 17, 32)
        for g, w in zip(got, want, strict=True):
            np.testing.assert_allclose(g, w, rtol=0, atol=ATOL)


def test_committed_expected_matches_fresh_computation(encoder: ImageEncoder, expected: dict[str, Any]) -> None:
    image = Image.open(FIXTURES / onnx_fixtures.TEST_IMAGE)
    assert image.mode == "RGB" and image.size == (320, 240)
    assert np.array_equal(np.asarray(image), np.asarray(onnx_fixtures.make_test_image()))
    control_input = Image.open(FIXTURES / onnx_fixtures.CONTROL_INPUT)
    assert np.array_equal(np.asarray(control_input),
                          np.asarray(image.resize((64, 64), Image.Resampling.BICUBIC)))
    fresh = json.loads(json.dumps(onnx_fixtures.compute_expected(encoder, image, control_input)))
    for key in ("versions", "files"):
        expected.pop(key, None)
        fresh.pop(key, None)

    def compare(a: Any, b: Any, where: str) -> None:
        if isinstance(a, dict):
            assert isinstance(b, dict) and a.keys() == b.keys(), where
            for k in a:
                compare(a[k], b[k], f"{where}.{k}")
        elif isinstance(a, list) and a and isinstance(a[0], float):
            exact = where.startswith("$.pixel_values")  # preprocessing is exact, model outputs nearly
            np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=0, atol=0 if exact else ATOL,
                                       err_msg=where)
        elif isinstance(a, float):
            assert a == pytest.approx(b, abs=1e-3), where
        else:
            assert a == b, where

    compare(expected, fresh, "$")


def test_sidecar_describes_the_graph(expected: dict[str, Any]) -> None:
    side = json.loads((FIXTURES / "clip-tiny.json").read_text(encoding="utf-8"))
    assert side["input_name"] == "pixel_values" and side["input_shape"] == ["batch", 3, 32, 32]
    assert side["output_names"] == ["image_embeds", "penultimate_hidden_states"]
    assert side["outputs"]["image_embeds"]["shape"] == ["batch", 16]
    assert side["outputs"]["penultimate_hidden_states"]["shape"] == ["batch", 17, 32]
    assert (side["shortest_edge"], side["crop_size"], side["resample"]) == (32, {"height": 32, "width": 32}, "bicubic")
    proc = expected["processor"]
    assert side["image_mean"] == proc["image_mean"] and side["image_std"] == proc["image_std"]
    assert side["external_data"] == [] and side["onnx_file"] == "clip-tiny.onnx"
    model = onnx.load(str(FIXTURES / "clip-tiny.onnx"))
    onnx.checker.check_model(model)
    assert model.opset_import[0].version == side["opset"]
    # no local paths or stack traces in the committed graph
    assert not any(node.metadata_props for node in model.graph.node)
    assert b"/work/" not in (FIXTURES / "clip-tiny.onnx").read_bytes()


def test_sidecar_preprocessing_reproduces_pixel_values(expected: dict[str, Any]) -> None:
    """The spec the app implements, driven only by the sidecar, gives the committed pixel_values."""
    side = json.loads((FIXTURES / "clip-tiny.json").read_text(encoding="utf-8"))
    rgb = np.asarray(Image.open(FIXTURES / onnx_fixtures.TEST_IMAGE).convert("RGB"))
    got = clip_preprocess_from_sidecar(rgb, side)
    want = np.asarray(expected["pixel_values"]["data"], dtype=np.float32).reshape(expected["pixel_values"]["shape"])
    assert np.array_equal(got, want)


def test_clip_preprocess_spec_is_exact(encoder: ImageEncoder) -> None:
    rng = np.random.default_rng(5)
    side = {"shortest_edge": 32, "crop_size": {"height": 32, "width": 32}, "rescale_factor": 1 / 255,
            "image_mean": list(encoder.processor.image_mean), "image_std": list(encoder.processor.image_std)}
    # landscape, portrait (both pass orders), square, upscaled, odd offsets
    for h, w in ((240, 320), (325, 38), (335, 184), (120, 120), (20, 50), (31, 77), (500, 377)):
        rgb = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
        want = encoder.processor(Image.fromarray(rgb), return_tensors="np").pixel_values
        assert np.array_equal(clip_preprocess_from_sidecar(rgb, side), want), (h, w)
    for (h, w), (out_w, out_h) in (((240, 320), (300, 17)), ((43, 2), (63, 26)), ((88, 114), (61, 12)),
                                   ((98, 68), (64, 72)), ((50, 11), (105, 54)), ((64, 64), (64, 7))):
        rgb = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
        want = np.asarray(Image.fromarray(rgb).resize((out_w, out_h), Image.Resampling.BICUBIC))
        assert np.array_equal(pil_bicubic_resize(rgb, out_w, out_h), want), ((h, w), (out_w, out_h))


def test_control_map_fixture(expected: dict[str, Any]) -> None:
    cm = expected["control_map"]
    side = json.loads((FIXTURES / cm["sidecar"]).read_text(encoding="utf-8"))
    assert (side["input_name"], side["input_shape"], side["output_names"]) == ("image", [1, 3, 64, 64], ["map"])
    rgb = np.asarray(Image.open(FIXTURES / cm["input_file"]).convert("RGB"), dtype=np.float32) / 255.0
    x = np.ascontiguousarray(rgb.transpose(2, 0, 1)[None])
    (got,) = run_onnx(FIXTURES / cm["onnx_file"], {"image": x})
    want = np.asarray(cm["map"]["data"], dtype=np.float32).reshape(cm["map"]["shape"])
    assert got.shape == (1, 1, 64, 64)
    np.testing.assert_allclose(got, want, rtol=0, atol=ATOL)
    with torch.no_grad():
        np.testing.assert_allclose(build_control_map_net(0)(torch.from_numpy(x)).numpy(), want, rtol=0, atol=ATOL)
    assert want.min() >= 0.0 and want.max() <= 1.0 and want.std() > 0.02  # a map with contrast


def test_cli_exports_the_registry_encoder(models_dir: Path, encoder: ImageEncoder, tmp_path: Path) -> None:
    out = tmp_path / "enc" / "encoder.onnx"
    export_onnx.main(["--models", str(models_dir / "models.json"), "--encoder", "vit-h", "--out", str(out)])
    side = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    assert side == json.loads((FIXTURES / "clip-tiny.json").read_text(encoding="utf-8")) | {"onnx_file": "encoder.onnx"}
    pixels = np.random.default_rng(1).standard_normal((2, 3, 32, 32)).astype(np.float32)
    for g, w in zip(run_onnx(out, {"pixel_values": pixels}), torch_outputs(encoder, pixels), strict=True):
        np.testing.assert_allclose(g, w, rtol=0, atol=ATOL)


def test_large_models_use_external_data(encoder: ImageEncoder, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """What the full-size ViT-H export does (>2 GB), shown on the tiny encoder with the threshold at 0."""
    monkeypatch.setattr(export_onnx, "EXTERNAL_DATA_BYTES", 0)
    out = tmp_path / "encoder.onnx"
    side = export_onnx.export_image_encoder(encoder.model, encoder.processor, out)
    assert side["external_data"] == ["encoder.onnx.data"]
    assert (tmp_path / "encoder.onnx.data").stat().st_size > 70_000 > out.stat().st_size
    pixels = np.random.default_rng(2).standard_normal((1, 3, 32, 32)).astype(np.float32)
    for g, w in zip(run_onnx(out, {"pixel_values": pixels}), torch_outputs(encoder, pixels), strict=True):
        np.testing.assert_allclose(g, w, rtol=0, atol=ATOL)


def test_cli_control_map(tmp_path: Path) -> None:
    out = tmp_path / "lineart.onnx"
    export_onnx.main(["--control-map", "--size", "32", "--control-type", "lineart", "--out", str(out)])
    side = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    assert side["control_type"] == "lineart" and side["input_size"] == {"height": 32, "width": 32}
    (got,) = run_onnx(out, {"image": np.random.default_rng(3).random((1, 3, 32, 32), dtype=np.float32)})
    assert got.shape == (1, 1, 32, 32) and got.min() >= 0.0 and got.max() <= 1.0
