"""Embeddings exactly as the app sends them: computed by onnxruntime from the exported encoder
(test/fixtures/onnx/clip-tiny.onnx), written as a plain little-endian F32 .safetensors (the layout
the app's TypeScript writer produces), shapes [1, D] (base) or [1, tokens, W] (Plus) with a
`negative_image_embeds` of the same shape. The worker must give the image it would have made
from the picture, and never load (or even find) its image encoder."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest
from PIL import Image

from adapter_worker.errors import InvalidInput
from adapter_worker.generate import GenerateEngine
from adapter_worker.onnx_fixtures import DEFAULT_OUT as FIXTURES
from adapter_worker.params import GenerateParams
from adapter_worker.registry import ModelRegistry

from conftest import pixels, plain


def run_onnx(feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
    sess = ort.InferenceSession(str(FIXTURES / "clip-tiny.onnx"), providers=["CPUExecutionProvider"])
    return [np.asarray(out) for out in sess.run(None, feeds)]


def write_safetensors_like_the_app(path: Path, tensors: dict[str, np.ndarray]) -> None:
    """Standard safetensors: u64 LE header length, JSON header (padded with spaces to 8 bytes),
    then the raw F32 little-endian data in header order. No library involved."""
    header: dict[str, object] = {"__metadata__": {"format": "pt", "producer": "adapter-studio-web"}}
    offset, blobs = 0, []
    for name, arr in tensors.items():
        data = np.ascontiguousarray(arr, dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(arr.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + b"".join(blobs))


@pytest.fixture(scope="module")
def app_embeds(engine: GenerateEngine, files: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
               ) -> dict[str, Path]:
    """ref_a's embeddings for both variants, computed the way the app computes them at upload."""
    processor = engine._encoder("sd15", "base").processor
    pv = processor(Image.open(files["ref_a"]).convert("RGB"), return_tensors="np").pixel_values.astype(np.float32)
    embeds, penult = run_onnx({"pixel_values": pv})
    _, zero_penult = run_onnx({"pixel_values": np.zeros_like(pv)})
    assert embeds.shape == (1, 16) and penult.shape == (1, 17, 32) == zero_penult.shape
    d = tmp_path_factory.mktemp("app-embeds")
    out = {"base": d / "base.safetensors", "plus": d / "plus.safetensors"}
    write_safetensors_like_the_app(out["base"], {"image_embeds": embeds,
                                                 "negative_image_embeds": np.zeros_like(embeds)})
    write_safetensors_like_the_app(out["plus"], {"image_embeds": penult, "negative_image_embeds": zero_penult})
    return out


def run(engine: GenerateEngine, inputs: dict[str, Path], **overrides: object) -> np.ndarray:
    result = engine.run(GenerateParams.model_validate(plain(**overrides)), inputs)
    return pixels(result.images[0])


@pytest.mark.parametrize("variant", ["base", "plus"])
def test_app_embeds_give_the_image_path_result(engine: GenerateEngine, files: dict[str, Path],
                                               app_embeds: dict[str, Path], variant: str) -> None:
    inputs = {**files, "emb": app_embeds[variant]}
    from_image = run(engine, inputs, references=[{"image": "ref_a"}], ip_adapter=variant)
    from_embeds = run(engine, inputs, references=[{"image_embeds": "emb"}], ip_adapter=variant)
    # onnxruntime and torch agree to ~1e-6; after denoising, at most a rounding step of one pixel value
    assert np.abs(from_image - from_embeds).max() <= 1


@pytest.mark.parametrize("variant", ["base", "plus"])
def test_app_embeds_never_touch_the_encoder(registry: ModelRegistry, engine: GenerateEngine,
                                            files: dict[str, Path], app_embeds: dict[str, Path],
                                            tmp_path: Path, variant: str) -> None:
    broken = registry.config.model_copy(deep=True)
    broken.image_encoders["vit-h"].path = tmp_path / "no-such-encoder"
    fresh = GenerateEngine(ModelRegistry(broken, registry.root), engine.spec)
    inputs = {**files, "emb": app_embeds[variant]}
    result = fresh.run(GenerateParams.model_validate(plain(references=[{"image_embeds": "emb"}],
                                                           ip_adapter=variant)), inputs)
    assert np.array_equal(pixels(result.images[0]),
                          run(engine, inputs, references=[{"image_embeds": "emb"}], ip_adapter=variant))
    assert result.metadata["models"]["ip_adapter"]["image_encoder"] is None
    assert not any(key.startswith("encoder:") for key in fresh.cache.keys())  # noqa: SIM118 - a method


def test_base_negative_is_zeros_not_the_zero_image_embedding(engine: GenerateEngine, files: dict[str, Path],
                                                               app_embeds: dict[str, Path], tmp_path: Path) -> None:
    """Leaving the base negative out equals sending zeros (diffusers' and IP-Adapter's own choice);
    sending the encoder's embedding of a zero image instead changes the picture."""
    zero_embeds, _ = run_onnx({"pixel_values": np.zeros((1, 3, 32, 32), np.float32)})
    from safetensors.numpy import load_file

    pos = load_file(str(app_embeds["base"]))["image_embeds"]
    only_pos, zero_image_neg = tmp_path / "only.safetensors", tmp_path / "zero-image-neg.safetensors"
    write_safetensors_like_the_app(only_pos, {"image_embeds": pos})
    write_safetensors_like_the_app(zero_image_neg, {"image_embeds": pos, "negative_image_embeds": zero_embeds})
    inputs = {**files, "zeros": app_embeds["base"], "only": only_pos, "zimg": zero_image_neg}
    with_zeros = run(engine, inputs, references=[{"image_embeds": "zeros"}])
    assert np.array_equal(run(engine, inputs, references=[{"image_embeds": "only"}]), with_zeros)
    assert np.abs(run(engine, inputs, references=[{"image_embeds": "zimg"}]) - with_zeros).max() > 0


@pytest.mark.parametrize(("variant", "tensors", "message"), [
    ("base", {"image_embeds": np.zeros((1, 17, 32))}, r"image_embeds of shape \[1, 17, 32\] does not fit .* "
                                                       r"expects \[1, 16\]"),
    ("plus", {"image_embeds": np.zeros((1, 16))}, r"image_embeds of shape \[1, 16\] does not fit .* "
                                                  r"expects \[1, tokens, 32\]"),
    ("plus", {"image_embeds": np.zeros((1, 17, 32))}, r"need `negative_image_embeds` too .*all-zeros pixel_values"),
    ("plus", {"image_embeds": np.zeros((1, 17, 32)), "negative_image_embeds": np.zeros((1, 5, 32))},
     r"negative_image_embeds of shape \[1, 5, 32\] must have the shape of image_embeds \[1, 17, 32\]"),
    ("base", {"image_embeds": np.zeros((1, 16)), "negative_image_embeds": np.zeros((1, 32))},
     r"negative_image_embeds of shape \[1, 32\] does not fit .* expects \[1, 16\]"),
])
def test_wrong_shapes_are_named(engine: GenerateEngine, files: dict[str, Path], tmp_path: Path, variant: str,
                                tensors: dict[str, np.ndarray], message: str) -> None:
    path = tmp_path / "bad.safetensors"
    write_safetensors_like_the_app(path, tensors)
    with pytest.raises(InvalidInput, match=message):
        run(engine, {**files, "bad": path}, references=[{"image_embeds": "bad"}], ip_adapter=variant)
