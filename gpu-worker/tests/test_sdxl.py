"""SDXL as a base model: the tiny SDXL set (two text encoders, text_time micro-conditioning) through
the same engine as SD 1.5, each SDXL plugin, exact parity at zero strength, the two LoRA layouts,
family checks with clear errors, and no state left after a job."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from pydantic import ValidationError
from safetensors.torch import load_file, save_file

from adapter_worker.device import DeviceSpec
from adapter_worker.errors import InvalidInput, LoraMismatch, ModelInvalid, ModelNotFound
from adapter_worker.generate import GenerateEngine
from adapter_worker.lora import lora_family
from adapter_worker.params import GenerateParams
from adapter_worker.registry import ModelRegistry

from conftest import pixels, plain
from fake_app import FakeApp

XL = "tiny-sdxl"


def xl(**overrides: object) -> dict[str, object]:
    return plain(base_model=XL, **overrides)


def run(engine: GenerateEngine, files: dict[str, Path], **overrides: object) -> np.ndarray:
    return pixels(engine.run(GenerateParams.model_validate(xl(**overrides)), files).images[0])


@pytest.fixture(scope="module")
def xl_files(files: dict[str, Path], models_dir: Path) -> dict[str, Path]:
    loras = models_dir / "sdxl" / "loras"
    return {**files, "xl-kohya": loras / "style-kohya.safetensors", "xl-peft": loras / "style-peft.safetensors"}


@pytest.fixture(scope="module")
def no_xa(registry: ModelRegistry, spec: DeviceSpec) -> GenerateEngine:
    """An engine whose registry has no X-Adapter entry (the tiny set has one)."""
    return GenerateEngine(ModelRegistry(registry.config.model_copy(update={"x_adapters": {}}), registry.root), spec)


@pytest.fixture(scope="module")
def plain_xl(engine: GenerateEngine, xl_files: dict[str, Path]) -> np.ndarray:
    return run(engine, xl_files)


def test_sdxl_runs_with_its_own_pipeline(engine: GenerateEngine, xl_files: dict[str, Path],
                                         plain_xl: np.ndarray) -> None:
    result = engine.run(GenerateParams.model_validate(xl()), xl_files)
    meta = result.metadata
    assert meta["models"]["family"] == "sdxl" and meta["models"]["base_model"] == XL
    assert meta["micro_conditioning"] == {"original_size": [64, 64], "target_size": [64, 64],
                                          "crops_coords_top_left": [0, 0]}
    assert np.array_equal(pixels(result.images[0]), plain_xl)  # deterministic per seed
    _, family, pipe = engine.pipeline(XL)
    assert family == "sdxl" and type(pipe).__name__ == "StableDiffusionXLPipeline"
    assert pipe.unet.config["addition_embed_type"] == "text_time" and pipe.text_encoder_2 is not None
    sd15 = pixels(engine.run(GenerateParams.model_validate(plain()), xl_files).images[0])
    assert not np.array_equal(sd15, plain_xl)


@pytest.mark.parametrize("case", ["controlnet", "t2i_adapter", "ip_base", "ip_plus", "lora_kohya", "lora_peft"])
def test_each_sdxl_plugin_changes_the_image(engine: GenerateEngine, xl_files: dict[str, Path],
                                            plain_xl: np.ndarray, case: str) -> None:
    jobs: dict[str, dict[str, object]] = {
        "controlnet": {"controls": [{"type": "canny", "image": "photo", "preprocess": "canny"}]},
        "t2i_adapter": {"controls": [{"type": "canny", "image": "photo", "preprocess": "canny",
                                      "adapter": "t2i_adapter"}]},
        "ip_base": {"references": [{"image": "ref_a"}]},
        "ip_plus": {"references": [{"image": "ref_a"}], "ip_adapter": "plus"},
        "lora_kohya": {"loras": [{"file": "xl-kohya"}]},
        "lora_peft": {"loras": [{"file": "xl-peft"}]},
    }
    result = engine.run(GenerateParams.model_validate(xl(**jobs[case])), xl_files)
    assert not np.array_equal(pixels(result.images[0]), plain_xl)
    if case.startswith("ip_"):
        encoder = result.metadata["models"]["ip_adapter"]["image_encoder"]
        assert encoder.endswith("sdxl/image_encoder") == (case == "ip_base")  # plus: the SD 1.5 vit-h


@pytest.mark.parametrize("case", ["ip_weight_0", "controlnet_scale_0", "t2i_scale_0", "lora_weight_0"])
def test_zero_strength_is_exactly_plain_sdxl(engine: GenerateEngine, xl_files: dict[str, Path],
                                              plain_xl: np.ndarray, case: str) -> None:
    jobs: dict[str, dict[str, object]] = {
        "ip_weight_0": {"references": [{"image": "ref_a", "weight": 0.0}]},
        "controlnet_scale_0": {"controls": [{"type": "canny", "image": "photo", "preprocess": "canny", "scale": 0}]},
        "t2i_scale_0": {"controls": [{"type": "canny", "image": "photo", "adapter": "t2i_adapter", "scale": 0}]},
        "lora_weight_0": {"loras": [{"file": "xl-kohya", "weight": 0.0}]},
    }
    assert np.array_equal(run(engine, xl_files, **jobs[case]), plain_xl)


def test_kohya_and_peft_layouts_of_one_lora_give_the_same_image(engine: GenerateEngine,
                                                                 xl_files: dict[str, Path]) -> None:
    kohya = load_file(str(xl_files["xl-kohya"]))
    assert any(k.startswith("lora_te2_") for k in kohya) and any("input_blocks" in k for k in kohya)
    assert lora_family(kohya)[0] == "sdxl" and lora_family(load_file(str(xl_files["xl-peft"])))[0] == "sdxl"
    assert lora_family(load_file(str(xl_files["style-kohya"])))[0] == "sd15"
    a = run(engine, xl_files, loras=[{"file": "xl-kohya", "weight": 0.8}])
    b = run(engine, xl_files, loras=[{"file": "xl-peft", "weight": 0.8}])
    assert np.array_equal(a, b)


def test_several_controlnets_with_windows_compose(engine: GenerateEngine, xl_files: dict[str, Path],
                                                  plain_xl: np.ndarray) -> None:
    one = run(engine, xl_files, controls=[{"type": "canny", "image": "photo", "preprocess": "canny"}])
    two = run(engine, xl_files, controls=[{"type": "canny", "image": "photo", "preprocess": "canny"},
                                          {"type": "canny", "image": "depth_map", "start": 0.3, "end": 0.7}])
    windowed = run(engine, xl_files, controls=[{"type": "canny", "image": "photo", "preprocess": "canny",
                                                "start": 0.5}])
    assert len({one.tobytes(), two.tobytes(), windowed.tobytes(), plain_xl.tobytes()}) == 4


def _weights(engine: GenerateEngine) -> dict[str, torch.Tensor]:
    _, _, pipe = engine.pipeline(XL)
    return {f"{i}.{n.replace('.base_layer', '')}": p.detach().clone()
            for i, model in enumerate((pipe.unet, pipe.text_encoder, pipe.text_encoder_2, pipe.vae))
            for n, p in model.named_parameters() if "lora_" not in n}


def test_no_state_left_after_a_composed_sdxl_job(engine: GenerateEngine, xl_files: dict[str, Path],
                                                  plain_xl: np.ndarray) -> None:
    before = _weights(engine)
    job = run(engine, xl_files, references=[{"image": "ref_a"}, {"image": "ref_b", "weight": 0.5}],
              loras=[{"file": "xl-kohya", "weight": 1.0}, {"file": "xl-peft", "weight": 0.5}],
              controls=[{"type": "canny", "image": "photo", "preprocess": "canny"},
                        {"type": "canny", "image": "depth_map", "adapter": "t2i_adapter"}])
    assert not np.array_equal(job, plain_xl)
    _, _, pipe = engine.pipeline(XL)  # as the job left it (the next job's defensive reset not run yet)
    assert pipe.unet.encoder_hid_proj is None
    for model in (pipe.unet, pipe.text_encoder, pipe.text_encoder_2):
        assert not getattr(model, "peft_config", {})
    assert not pipe.unet._forward_pre_hooks
    after = _weights(engine)
    assert set(after) == set(before) and all(torch.equal(before[n], after[n]) for n in before)
    assert np.array_equal(run(engine, xl_files), plain_xl)


# -- bad input -------------------------------------------------------------------------------------

def test_sdxl_plugins_on_an_sd15_base_are_refused_naming_families(engine: GenerateEngine,
                                                                   xl_files: dict[str, Path]) -> None:
    cases: list[dict[str, object]] = [
        {"controls": [{"type": "canny", "image": "photo", "family": "sdxl"}]},
        {"references": [{"image": "ref_a"}], "ip_adapter_family": "sdxl"},
        {"loras": [{"file": "xl-kohya"}]},  # detected from the file's keys
    ]
    for case in cases:
        with pytest.raises(InvalidInput, match=r"'tiny-sd15' is sd15 and cannot run SDXL plugins: .* is sdxl"):
            engine.run(GenerateParams.model_validate(plain(**case)), xl_files)


def test_sd15_plugins_on_sdxl_without_x_adapter_are_refused(no_xa: GenerateEngine,
                                                            xl_files: dict[str, Path]) -> None:
    cases: list[tuple[dict[str, object], str]] = [
        ({"loras": [{"file": "style-kohya"}]}, r"loras\[0\] \(style-kohya, .*\) is sd15"),
        ({"loras": [{"file": "subject-svdiff"}]}, r"loras\[0\] \(subject-svdiff, a spectral-shift adapter\) is sd15"),
        ({"controls": [{"type": "canny", "image": "photo", "family": "sd15"}]}, r"controls\[0\] .* is sd15"),
        ({"references": [{"image": "ref_a"}], "ip_adapter_family": "sd15"}, r"ip_adapter base is sd15"),
    ]
    for case, named in cases:
        with pytest.raises(InvalidInput, match=rf"'tiny-sdxl' is sdxl; {named}.*only through X-Adapter"):
            no_xa.run(GenerateParams.model_validate(xl(**case)), xl_files)


def test_lora_family_contradicting_the_job_and_unknown_family(engine: GenerateEngine,
                                                              xl_files: dict[str, Path]) -> None:
    with pytest.raises(InvalidInput, match=r"xl-kohya\) is an sdxl LoRA \(.*\), not sd15 as the job says"):
        engine.run(GenerateParams.model_validate(xl(loras=[{"file": "xl-kohya", "family": "sd15"}])), xl_files)
    with pytest.raises(ValidationError, match="family"):
        GenerateParams.model_validate(xl(controls=[{"type": "canny", "image": "photo", "family": "sd3"}]))
    with pytest.raises(ValidationError, match="family"):
        GenerateParams.model_validate(xl(loras=[{"file": "xl-kohya", "family": "flux"}]))


def _engine(models: Path, spec: DeviceSpec) -> GenerateEngine:
    return GenerateEngine(ModelRegistry.load(models / "models.json", env={}), spec)


def test_file_of_the_other_family_in_the_registry_is_named(copied_models: Path, spec: DeviceSpec,
                                                           xl_files: dict[str, Path]) -> None:
    config = json.loads((copied_models / "models.json").read_text())
    config["controlnets"]["sd15"]["canny"] = {"path": "sdxl/controlnet-canny"}
    config["t2i_adapters"]["sd15"]["canny"] = {"path": "sdxl/t2i-adapter-canny"}
    config["controlnets"]["sdxl"]["canny"] = {"path": "controlnet-canny"}
    config["ip_adapters"]["sdxl"]["base"]["path"] = "ip-adapter_sd15.safetensors"
    config["base_models"]["tiny-sdxl"]["family"] = "sd15"
    config["base_models"]["xl-as-sd15"] = {"path": "sdxl/base", "family": "sd15"}
    (copied_models / "models.json").write_text(json.dumps(config))
    engine = _engine(copied_models, spec)
    with pytest.raises(ModelInvalid, match=r"ControlNet .*sdxl/controlnet-canny is a sdxl model \(addition_embed_type "
                                           r"text_time\) but is configured or used as sd15"):
        engine.run(GenerateParams.model_validate(plain(controls=[{"type": "canny", "image": "photo"}])), xl_files)
    with pytest.raises(ModelInvalid, match=r"T2I-Adapter .* is a sdxl model \(adapter_type full_adapter_xl\)"):
        engine.run(GenerateParams.model_validate(plain(controls=[{"type": "canny", "image": "photo",
                                                                  "adapter": "t2i_adapter"}])), xl_files)
    with pytest.raises(ModelInvalid, match=r"base model .*sdxl/base is a sdxl model"):
        engine.run(GenerateParams.model_validate(plain(base_model="xl-as-sd15")), xl_files)
    config["base_models"]["tiny-sdxl"]["family"] = "sdxl"
    (copied_models / "models.json").write_text(json.dumps(config))
    engine = _engine(copied_models, spec)
    with pytest.raises(ModelInvalid, match=r"ControlNet .*/controlnet-canny is a sd15 model .* used as sdxl"):
        engine.run(GenerateParams.model_validate(xl(controls=[{"type": "canny", "image": "photo"}])), xl_files)
    with pytest.raises(ModelInvalid, match=r"ip-adapter_sd15.safetensors is not an IP-Adapter for this base's "
                                           r"family .* the base model is sdxl"):
        engine.run(GenerateParams.model_validate(xl(references=[{"image": "ref_a"}])), xl_files)


def test_corrupt_sdxl_files_are_named(copied_models: Path, spec: DeviceSpec, xl_files: dict[str, Path]) -> None:
    weights = copied_models / "sdxl" / "base" / "text_encoder_2" / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])
    (copied_models / "sdxl" / "ip-adapter_sdxl.safetensors").write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00{bad")
    engine = _engine(copied_models, spec)
    with pytest.raises(ModelInvalid, match=r"text_encoder_2/model.safetensors is not a readable"):
        engine.run(GenerateParams.model_validate(xl()), xl_files)
    shutil.copy(xl_files["xl-peft"].parent.parent / "base" / "text_encoder_2" / "model.safetensors", weights)
    with pytest.raises(ModelInvalid, match=r"ip-adapter_sdxl\.safetensors is not a readable"):
        engine.run(GenerateParams.model_validate(xl(references=[{"image": "ref_a"}])), xl_files)


def test_a_foreign_lora_is_still_a_lora_mismatch_on_sdxl(engine: GenerateEngine, xl_files: dict[str, Path],
                                                         tmp_path: Path) -> None:
    foreign = tmp_path / "flux.safetensors"  # keys of no SD family: the family is not detected
    save_file({"lora_unet_single_blocks_0_attn_to_q.lora_down.weight": torch.zeros(4, 32),
               "lora_unet_single_blocks_0_attn_to_q.lora_up.weight": torch.zeros(32, 4)}, str(foreign))
    assert lora_family(load_file(str(foreign)))[0] is None
    with pytest.raises(LoraMismatch, match=r"do not exist in the base model: unet.single.blocks"):
        engine.run(GenerateParams.model_validate(xl(loras=[{"file": "f"}])), {**xl_files, "f": foreign})


def test_worker_reports_family_errors_and_runs_the_next_sdxl_job(no_xa: GenerateEngine,
                                                                 xl_files: dict[str, Path]) -> None:
    from test_worker import make_worker

    with FakeApp() as app:
        jobs = [
            app.add_job(xl(loras=[{"file": "l"}]), {"l": xl_files["style-kohya"].read_bytes()}),
            app.add_job(plain(loras=[{"file": "l"}]), {"l": xl_files["xl-peft"].read_bytes()}),
            app.add_job(xl(controls=[{"type": "canny", "image": "p", "family": "sd3"}]),
                        {"p": xl_files["photo"].read_bytes()}),
            app.add_job(xl(loras=[{"file": "l"}]), {"l": xl_files["xl-peft"].read_bytes()}),
        ]
        make_worker(app, no_xa).run(max_jobs=len(jobs))
    errors = [j.result["error"] if j.result and "error" in j.result else None for j in jobs]
    assert [e["code"] if e else None for e in errors] == ["invalid_input", "invalid_input", "invalid_input", None]
    assert errors[0] is not None and "is sd15" in errors[0]["message"]
    assert errors[1] is not None and "is sdxl" in errors[1]["message"]
    assert jobs[-1].state == "succeeded"


def test_replacement_vae_is_used_and_a_missing_one_is_named(copied_models: Path, spec: DeviceSpec,
                                                           xl_files: dict[str, Path], plain_xl: np.ndarray) -> None:
    """`vae` on a base-model entry (e.g. madebyollin/sdxl-vae-fp16-fix) replaces the pipeline's."""
    from adapter_worker import model_builders as mb
    from adapter_worker.arch_configs import TINY_SDXL

    mb.build_vae(TINY_SDXL, 77).save_pretrained(str(copied_models / "vae-fix"))
    config = json.loads((copied_models / "models.json").read_text())
    config["base_models"]["tiny-sdxl"]["vae"] = "vae-fix"
    (copied_models / "models.json").write_text(json.dumps(config))
    engine = _engine(copied_models, spec)
    fixed = run(engine, xl_files)
    assert not np.array_equal(fixed, plain_xl)
    _, _, pipe = engine.pipeline(XL)
    assert torch.equal(next(iter(pipe.vae.parameters())),
                       next(iter(mb.build_vae(TINY_SDXL, 77).parameters())))
    config["base_models"]["tiny-sdxl"]["vae"] = "no-such-vae"
    (copied_models / "models.json").write_text(json.dumps(config))
    with pytest.raises(ModelNotFound, match=r"VAE folder .*no-such-vae for base model"):
        run(_engine(copied_models, spec), xl_files)
