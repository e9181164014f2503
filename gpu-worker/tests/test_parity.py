"""Zero-strength adapters reproduce the plain model bit for bit, and jobs do not leak state."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from adapter_worker.generate import GenerateEngine
from adapter_worker.params import GenerateParams
from adapter_worker.progress import Progress, StepMonitor

from conftest import pixels, plain


def run(engine: GenerateEngine, files: dict[str, Path], **overrides: object) -> np.ndarray:
    return pixels(engine.run(GenerateParams.model_validate(plain(**overrides)), files).images[0])


ZERO = {
    "ip_adapter_weight_0": {"references": [{"image": "ref_a", "weight": 0.0}]},
    "two_refs_weight_0": {"references": [{"image": "ref_a", "weight": 0.0}, {"image": "ref_b", "weight": 0.0}]},
    "controlnet_scale_0": {"controls": [{"type": "canny", "image": "photo", "preprocess": "canny", "scale": 0.0}]},
    "two_controlnets_scale_0": {"controls": [{"type": "canny", "image": "photo", "scale": 0.0},
                                             {"type": "depth", "image": "depth_map", "scale": 0.0}]},
    "t2i_adapter_scale_0": {"controls": [{"type": "depth", "image": "depth_map", "adapter": "t2i_adapter",
                                          "scale": 0.0}]},
    "lora_peft_weight_0": {"loras": [{"file": "style-peft", "weight": 0.0}]},
    "lora_kohya_weight_0": {"loras": [{"file": "style-kohya", "weight": 0.0}]},
    "svdiff_weight_0": {"loras": [{"file": "subject-svdiff", "weight": 0.0}]},
    "svdiff_with_text_encoder_weight_0": {"loras": [{"file": "style-svdiff", "weight": 0.0}]},
}


@pytest.mark.parametrize("case", sorted(ZERO))
def test_zero_strength_is_exactly_the_plain_model(engine: GenerateEngine, files: dict[str, Path], case: str) -> None:
    assert np.array_equal(run(engine, files, **ZERO[case]), run(engine, files))


def test_same_seed_same_image_and_other_seed_differs(engine: GenerateEngine, files: dict[str, Path]) -> None:
    a, b = run(engine, files, seed=99), run(engine, files, seed=99)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, run(engine, files, seed=100))


def _base_weights(engine: GenerateEngine) -> dict[str, torch.Tensor]:
    _, _, pipe = engine.pipeline(None)
    return {n.replace(".base_layer", ""): p.detach().clone()
            for model in (pipe.unet, pipe.text_encoder) for n, p in model.named_parameters() if "lora_" not in n}


def test_job_b_is_unaffected_by_job_a(engine: GenerateEngine, files: dict[str, Path]) -> None:
    before = run(engine, files, scheduler="ddim")
    weights = _base_weights(engine)
    job_a = run(engine, files, scheduler="euler_a", references=[{"image": "ref_a"}, {"image": "ref_b"}],
                loras=[{"file": "style-kohya", "weight": 1.0}, {"file": "detail-peft", "weight": 0.5},
                       {"file": "subject-svdiff", "weight": 0.7}, {"file": "style-svdiff", "weight": 0.4}],
                controls=[{"type": "canny", "image": "photo", "preprocess": "canny"},
                          {"type": "depth", "image": "depth_map", "adapter": "t2i_adapter"}])
    assert not np.array_equal(job_a, before)
    after = run(engine, files, scheduler="ddim")
    assert np.array_equal(after, before)
    _, _, pipe = engine.pipeline(None)
    assert pipe.unet.encoder_hid_proj is None  # IP-Adapter projection gone
    assert not getattr(pipe.unet, "peft_config", {})  # no LoRA adapters left
    assert not pipe.unet._forward_pre_hooks  # T2I hook removed
    after_weights = _base_weights(engine)  # spectral shifts unmerged bit for bit
    assert set(after_weights) == set(weights) and all(torch.equal(weights[n], after_weights[n]) for n in weights)


def test_job_that_crashes_mid_denoising_leaves_no_state(engine: GenerateEngine, files: dict[str, Path]) -> None:
    before = run(engine, files)

    def crash(p: Progress) -> None:
        raise RuntimeError(f"device fell over at step {p.step}")

    with pytest.raises(RuntimeError, match="step 1"):
        engine.run(GenerateParams.model_validate(plain(
            loras=[{"file": "style-peft"}, {"file": "subject-svdiff"}], references=[{"image": "ref_a"}],
            controls=[{"type": "depth", "image": "depth_map", "adapter": "t2i_adapter"}])), files, StepMonitor(crash))
    assert np.array_equal(run(engine, files), before)
