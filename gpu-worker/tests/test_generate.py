"""Every combination the product offers runs through the real loaders and changes the image."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import save_file

from adapter_worker.generate import GenerateEngine
from adapter_worker.ip_adapter import encode_reference
from adapter_worker.params import GenerateParams
from adapter_worker.registry import ModelRegistry

from conftest import pixels, plain


def run(engine: GenerateEngine, files: dict[str, Path], **overrides: object) -> np.ndarray:
    result = engine.run(GenerateParams.model_validate(plain(**overrides)), files)
    assert len(result.images) == 1
    assert result.images[0].size == (64, 64)
    return pixels(result.images[0])


@pytest.fixture(scope="module")
def baseline(engine: GenerateEngine, files: dict[str, Path]) -> np.ndarray:
    return run(engine, files)


COMBOS: dict[str, dict[str, object]] = {
    "ip_adapter": {"references": [{"image": "ref_a", "weight": 1.0}]},
    "ip_adapter_plus": {"references": [{"image": "ref_a"}], "ip_adapter": "plus"},
    "ip_adapter_two_refs": {"references": [{"image": "ref_a", "weight": 0.7}, {"image": "ref_b", "weight": 0.4}]},
    "controlnet": {"controls": [{"type": "canny", "image": "photo", "preprocess": "canny"}]},
    "controlnet_single_file": {"controls": [{"type": "lineart", "image": "depth_map"}]},
    "ip_adapter_and_controlnet": {"references": [{"image": "ref_a"}],
                                  "controls": [{"type": "depth", "image": "depth_map", "scale": 0.8}]},
    "two_controlnets": {"controls": [{"type": "canny", "image": "photo", "preprocess": "canny", "end": 0.6},
                                     {"type": "depth", "image": "depth_map", "scale": 0.5}]},
    "t2i_adapter": {"controls": [{"type": "canny", "image": "photo", "preprocess": "canny",
                                  "adapter": "t2i_adapter"}]},
    "t2i_adapter_and_ip_adapter": {"references": [{"image": "ref_b"}],
                                   "controls": [{"type": "depth", "image": "depth_map", "adapter": "t2i_adapter"}]},
    "controlnet_and_t2i_adapter": {"controls": [{"type": "canny", "image": "photo", "preprocess": "canny"},
                                                {"type": "depth", "image": "depth_map", "adapter": "t2i_adapter"}]},
    "lora_peft_layout": {"loras": [{"file": "style-peft", "weight": 1.0}]},
    "lora_kohya_layout": {"loras": [{"file": "style-kohya", "weight": 1.0}]},
    "svdiff": {"loras": [{"file": "subject-svdiff", "weight": 1.0}]},
    "svdiff_with_text_encoder": {"loras": [{"file": "style-svdiff", "weight": 1.0}]},
    "svdiff_and_lora": {"loras": [{"file": "subject-svdiff", "weight": 0.8}, {"file": "style-peft", "weight": 0.5}]},
    "two_loras": {"loras": [{"file": "style-peft", "weight": 0.6}, {"file": "detail-peft", "weight": 0.3}]},
    "everything": {"references": [{"image": "ref_a"}], "loras": [{"file": "style-kohya", "weight": 0.5}],
                   "controls": [{"type": "canny", "image": "photo", "preprocess": "canny"},
                                {"type": "depth", "image": "depth_map", "adapter": "t2i_adapter"}]},
}


@pytest.mark.parametrize("combo", sorted(COMBOS))
def test_combination_changes_the_image(engine: GenerateEngine, files: dict[str, Path], baseline: np.ndarray,
                                       combo: str) -> None:
    out = run(engine, files, **COMBOS[combo])
    assert np.abs(out - baseline).max() > 5, f"{combo} had no visible effect"
    assert np.array_equal(run(engine, files, **COMBOS[combo]), out), f"{combo} is not deterministic"


def test_two_loras_differ_from_each_alone(engine: GenerateEngine, files: dict[str, Path]) -> None:
    both = run(engine, files, **COMBOS["two_loras"])
    first = run(engine, files, loras=[{"file": "style-peft", "weight": 0.6}])
    assert np.abs(both - first).max() > 0


def test_lora_weight_scales_the_effect(engine: GenerateEngine, files: dict[str, Path], baseline: np.ndarray) -> None:
    weak = run(engine, files, loras=[{"file": "style-kohya", "weight": 0.2}])
    strong = run(engine, files, loras=[{"file": "style-kohya", "weight": 1.0}])
    assert np.abs(weak - baseline).mean() < np.abs(strong - baseline).mean()


def test_per_reference_weight_zero_drops_that_reference(engine: GenerateEngine, files: dict[str, Path]) -> None:
    # Each reference is its own adapter instance with its own scale, so weight 0 removes it exactly.
    alone = run(engine, files, references=[{"image": "ref_a", "weight": 0.8}])
    paired = run(engine, files, references=[{"image": "ref_a", "weight": 0.8}, {"image": "ref_b", "weight": 0.0}])
    assert np.array_equal(alone, paired)


SCHEDULERS = ["euler_a", "dpmpp_2m_karras", "ddim", "unipc", "euler"]


def test_each_scheduler_is_used(engine: GenerateEngine, files: dict[str, Path]) -> None:
    # One seed, one prompt: only the scheduler differs, so each must give its own image (a
    # scheduler silently ignored would repeat another's pixels), and the same one again on a rerun.
    outs = {s: run(engine, files, scheduler=s) for s in SCHEDULERS}
    for i, a in enumerate(SCHEDULERS):
        for b in SCHEDULERS[i + 1:]:
            assert np.abs(outs[a] - outs[b]).max() > 0, f"{a} and {b} gave the same image"
    assert np.array_equal(run(engine, files, scheduler="unipc"), outs["unipc"])


def test_num_images_use_consecutive_seeds(engine: GenerateEngine, files: dict[str, Path]) -> None:
    result = engine.run(GenerateParams.model_validate(plain(num_images=2, seed=50)), files)
    assert result.metadata["seeds"] == [50, 51]
    second_alone = run(engine, files, seed=51)
    assert np.array_equal(pixels(result.images[1]), second_alone)
    assert not np.array_equal(pixels(result.images[0]), second_alone)


def test_metadata(engine: GenerateEngine, files: dict[str, Path]) -> None:
    result = engine.run(GenerateParams.model_validate(plain(**COMBOS["everything"])), files)
    meta = result.metadata
    assert meta["seed"] == 1234 and meta["steps"] == 3 and meta["dtype"] == "float32"
    assert meta["models"]["controlnets"] == ["canny"] and meta["models"]["t2i_adapters"] == ["depth"]
    assert meta["models"]["ip_adapter"]["variant"] == "base"
    assert meta["models"]["loras"][0]["file"] == "style-kohya" and len(meta["models"]["loras"][0]["sha256"]) == 64
    assert set(meta["timings"]) == {"prepare_s", "denoise_decode_s", "total_s"}
    random_seed = engine.run(GenerateParams.model_validate(plain(seed=None)), files).metadata["seed"]
    assert isinstance(random_seed, int)


def test_precomputed_embeds_skip_the_encoder(registry: ModelRegistry, engine: GenerateEngine, spec: object,
                                             files: dict[str, Path], tmp_path: Path) -> None:
    # Embeddings computed once (as the app does at upload) give the same image as the photo...
    weights = engine._ip_weights("sd15", "base", engine.pipeline(None)[2])
    pos, _neg = encode_reference(engine._encoder("sd15", "base"), weights, files["ref_a"], "ref", engine.spec)
    embeds = tmp_path / "ref_a.embeds.safetensors"
    save_file({"image_embeds": pos[0, 0].contiguous()}, str(embeds))
    inputs = {**files, "ref_a_embeds": embeds}
    from_image = run(engine, inputs, references=[{"image": "ref_a"}])
    from_embeds = run(engine, inputs, references=[{"image_embeds": "ref_a_embeds"}])
    assert np.array_equal(from_image, from_embeds)

    # ...and a worker whose image encoder does not even exist can serve them: it is never loaded.
    broken = registry.config.model_copy(deep=True)
    broken.image_encoders["vit-h"].path = tmp_path / "no-such-encoder"
    fresh = GenerateEngine(ModelRegistry(broken, registry.root), engine.spec)
    result = fresh.run(GenerateParams.model_validate(plain(references=[{"image_embeds": "ref_a_embeds"}])), inputs)
    assert np.array_equal(pixels(result.images[0]), from_embeds)
    assert result.metadata["models"]["ip_adapter"]["image_encoder"] is None
    assert not any(key.startswith("encoder:") for key in fresh.cache.keys())  # noqa: SIM118 - a method, not a dict
    with pytest.raises(Exception, match="no-such-encoder"):
        fresh.run(GenerateParams.model_validate(plain(references=[{"image": "ref_a"}])), inputs)


def test_spectral_adapters_mix_by_weight(engine: GenerateEngine, files: dict[str, Path]) -> None:
    """Two spectral-shift files at weights w and 1 - w are one δ = w·δ1 + (1 - w)·δ2: a 1/0 mix is
    exactly the first file alone, and the mixed metadata names each file's kind."""
    alone = engine.run(GenerateParams.model_validate(plain(loras=[{"file": "subject-svdiff"}])), files)
    mixed = engine.run(GenerateParams.model_validate(plain(
        loras=[{"file": "subject-svdiff", "weight": 1.0}, {"file": "style-svdiff", "weight": 0.0}])), files)
    assert np.array_equal(np.asarray(alone.images[0]), np.asarray(mixed.images[0]))
    kinds = [lo["kind"] for lo in mixed.metadata["models"]["loras"]]
    assert kinds == ["svdiff", "svdiff"]


def test_spectral_adapter_for_another_base_model_is_refused(engine: GenerateEngine, files: dict[str, Path],
                                                            tmp_path: Path) -> None:
    from adapter_worker.errors import LoraMismatch
    from adapter_worker.spectral_shift import load_shifts, save_shifts

    state, _ = load_shifts(files["subject-svdiff"])
    state["unet.conv_in.spectral_shift"] = torch.zeros(320)  # SD 1.5's conv_in, not this model's
    foreign = tmp_path / "foreign-svdiff.safetensors"
    save_shifts(foreign, state, "sd15")
    with pytest.raises(LoraMismatch, match=r"another base model.*unet\.conv_in\.spectral_shift \(320,\)"):
        engine.run(GenerateParams.model_validate(plain(loras=[{"file": "x"}])), {**files, "x": foreign})
