"""X-Adapter through the generate job (tiny-sd15 plugins steering tiny-sdxl): routing, parity,
effect, weights untouched, training, and bad input through the worker's job path."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from safetensors.torch import load_file, save_file

from adapter_worker.client import WorkerClient
from adapter_worker.errors import InvalidInput
from adapter_worker.generate import GenerateEngine
from adapter_worker.params import GenerateParams, TrainXAdapterParams
from adapter_worker.registry import ModelRegistry
from adapter_worker.worker import Worker
from adapter_worker.xadapter import XAdapterMapping, plan_levels
from adapter_worker.xadapter_pipeline import stage_split
from adapter_worker.xadapter_train import TrainXAdapterJob

from conftest import plain
from fake_app import FakeApp

XL = "tiny-sdxl"
CANNY = {"type": "canny", "image": "photo", "preprocess": "canny", "family": "sd15"}
LORA = {"file": "style-peft", "family": "sd15"}


def xl(**overrides: Any) -> dict[str, Any]:
    return plain(base_model=XL, steps=4, **overrides)


def gen(engine: GenerateEngine, files: dict[str, Path], **overrides: Any) -> tuple[np.ndarray, dict[str, Any]]:
    result = engine.run(GenerateParams.model_validate(xl(**overrides)), files)
    return np.asarray(result.images[0], dtype=np.float64), result.metadata


def gap(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a - b).mean())


@pytest.fixture
def calls(engine: GenerateEngine) -> Iterator[dict[str, int]]:
    """How many times each base's UNet runs during a test."""
    counts = {"sd15": 0, "sdxl": 0}
    handles = []
    for name, key in (("tiny-sd15", "sd15"), (XL, "sdxl")):
        unet = engine.pipeline(name)[2].unet

        def hook(*_: Any, key: str = key) -> None:
            counts[key] += 1
        handles.append(unet.register_forward_hook(hook))
    yield counts
    for h in handles:
        h.remove()


def test_parity_with_plain_sdxl(engine: GenerateEngine, files: dict[str, Path], copied_models: Path) -> None:
    """t0 = 0 and fusion 0, or mapping weights all zero: exactly a plain SDXL job with the same seed."""
    plain_xl, _ = gen(engine, files)
    fused0, meta = gen(engine, files, controls=[CANNY], x_adapter={"t0": 0.0, "fusion": 0.0})
    assert meta["x_adapter"]["stage1_steps"] == 0
    assert meta["x_adapter"]["branches"]["sd15"] == ["controls[0] (controlnet canny)"]
    assert np.array_equal(fused0, plain_xl)
    on, _ = gen(engine, files, controls=[CANNY], x_adapter={"t0": 0.0, "fusion": 1.0})
    assert gap(on, plain_xl) > 0.5  # the test can fail: the random mapping does change SDXL

    path = copied_models / "x-adapter.safetensors"
    save_file({k: torch.zeros_like(v) for k, v in load_file(str(path)).items()}, str(path))
    zeroed = GenerateEngine(ModelRegistry.load(copied_models / "models.json", env={}), engine.spec)
    zero_map, _ = gen(zeroed, files, controls=[CANNY], x_adapter={"t0": 0.0, "fusion": 1.0})
    assert np.array_equal(zero_map, plain_xl)


def test_stages_and_t0(engine: GenerateEngine, files: dict[str, Path], calls: dict[str, int]) -> None:
    assert stage_split(30, 0.2) == (6, 24) and stage_split(10, 0.9) == (9, 1) and stage_split(4, 1.0) == (3, 1)
    assert stage_split(25, 0.0) == (0, 25)
    _, meta = gen(engine, files, controls=[CANNY], x_adapter={"t0": 0.0})
    assert calls == {"sd15": 4, "sdxl": 4}  # t0 = 0: no stage one, both run every step (CFG batched)
    calls.update(sd15=0, sdxl=0)
    _, meta = gen(engine, files, controls=[CANNY], x_adapter={"t0": 0.5})
    x = meta["x_adapter"]
    assert (x["stage1_steps"], x["stage2_steps"]) == (2, 2) and calls == {"sd15": 4, "sdxl": 2}
    assert set(x["timings"]) == {"stage1_s", "stage2_s"} and x["sd15_width"] == 32
    assert x["levels"] == ["sd15.up.0->sdxl.up.0", "sd15.up.1->sdxl.up.1"]


def test_plugin_at_weight_zero_is_no_plugin(engine: GenerateEngine, files: dict[str, Path]) -> None:
    knobs = {"t0": 0.25}
    lora_only, _ = gen(engine, files, loras=[LORA], x_adapter=knobs)
    cn0, _ = gen(engine, files, loras=[LORA], controls=[{**CANNY, "scale": 0.0}], x_adapter=knobs)
    assert np.array_equal(lora_only, cn0)
    cn_only, _ = gen(engine, files, controls=[CANNY], x_adapter=knobs)
    lora0, _ = gen(engine, files, controls=[CANNY], loras=[{**LORA, "weight": 0.0}], x_adapter=knobs)
    assert np.array_equal(cn_only, lora0)


@pytest.mark.parametrize("plugin", ["controlnet", "lora"])
def test_sd15_plugin_steers_sdxl_more_with_fusion(engine: GenerateEngine, files: dict[str, Path],
                                                  plugin: str) -> None:
    """With t0 = 0 the plugin reaches SDXL only through the mapped features: no change at fusion 0,
    a change that grows with fusion."""
    if plugin == "controlnet":  # the other SD 1.5 plugin at weight 0 keeps the job on X-Adapter
        on, off = {"controls": [CANNY]}, {"controls": [{**CANNY, "scale": 0.0}]}
    else:
        on, off = {"loras": [LORA]}, {"loras": [{**LORA, "weight": 0.0}]}
    gaps = []
    for fusion in (0.0, 0.5, 1.5):
        knobs = {"x_adapter": {"t0": 0.0, "fusion": fusion}}
        gaps.append(gap(gen(engine, files, **on, **knobs)[0], gen(engine, files, **off, **knobs)[0]))
    assert gaps[0] == 0.0 and 0.0 < gaps[1] < gaps[2], gaps


def test_sd15_branch_sees_the_plugin_and_bases_are_untouched(engine: GenerateEngine,
                                                             files: dict[str, Path]) -> None:
    sd15, sdxl = engine.pipeline("tiny-sd15")[2], engine.pipeline(XL)[2]
    before = {f"{n}.{k}": v.clone() for n, m in (("sd15", sd15.unet), ("sd15te", sd15.text_encoder),
                                                 ("sdxl", sdxl.unet), ("sdxlte", sdxl.text_encoder_2))
              for k, v in m.state_dict().items()}
    seen: list[torch.Tensor] = []
    handle = sd15.unet.up_blocks[-1].register_forward_hook(lambda _m, _a, out: seen.append(out.detach().clone()))
    try:
        gen(engine, files, loras=[{**LORA, "weight": 0.0}], x_adapter={"t0": 0.0})
        without = seen[-1]
        gen(engine, files, loras=[LORA, {"file": "subject-svdiff", "family": "sd15"}],
            references=[{"image": "ref_a"}], ip_adapter_family="sd15", controls=[CANNY], x_adapter={"t0": 0.0})
        with_plugins = seen[-1]
    finally:
        handle.remove()
    assert (with_plugins - without).abs().max().item() > 1e-4
    after = {f"{n}.{k}": v for n, m in (("sd15", sd15.unet), ("sd15te", sd15.text_encoder),
                                        ("sdxl", sdxl.unet), ("sdxlte", sdxl.text_encoder_2))
             for k, v in m.state_dict().items()}
    assert before.keys() == after.keys()
    assert all(torch.equal(before[k], after[k]) for k in before)
    # no hook, processor or LoRA layer is left behind
    assert not any(m._forward_hooks for m in [*sd15.unet.up_blocks, sdxl.unet.mid_block, *sdxl.unet.up_blocks])
    assert not sd15.unet._forward_hooks and not sd15.unet._forward_pre_hooks


def test_train_xadapter_loss_falls(engine: GenerateEngine, files: dict[str, Path], one_thread: None) -> None:
    params = TrainXAdapterParams.model_validate({"captions": ["a red house by a lake"], "images": ["photo"],
                                                 "steps": 60, "lr": 1e-3, "seed": 3, "resolution": 64})
    sd15, sdxl = engine.pipeline("tiny-sd15")[2], engine.pipeline(XL)[2]
    before = [v.clone() for v in (*sd15.unet.parameters(), *sdxl.unet.parameters())]
    result = TrainXAdapterJob(engine).run(params, files)
    losses = result.metadata["loss"]
    assert losses["last10_mean"] < losses["first10_mean"], losses
    assert all(torch.equal(a, b) for a, b in zip(before, (*sd15.unet.parameters(), *sdxl.unet.parameters()),
                                                   strict=True))
    state = load_file_bytes(result.files[0].data)
    levels = plan_levels([32, 64], [32, 64, 64])
    assert set(state) == set(XAdapterMapping(levels).state_dict())
    assert result.metadata["adapter"]["sd15_base"] == "tiny-sd15"
    assert any(v.abs().sum() > 0 for n, v in state.items() if n.startswith("zero_out"))  # it learned


def load_file_bytes(data: bytes) -> dict[str, torch.Tensor]:
    from safetensors.torch import load

    return load(data)


# -- bad input, through the worker's job path ---------------------------------------------------
def _registry_with(models: Path, **entry: Any) -> None:
    config = json.loads((models / "models.json").read_text())
    config["x_adapters"]["default"].update(entry)
    (models / "models.json").write_text(json.dumps(config))


def test_bad_x_adapter_jobs_fail_clearly_and_the_worker_lives(copied_models: Path, engine: GenerateEngine,
                                                              files: dict[str, Path]) -> None:
    photo = files["photo"].read_bytes()
    # mapping weights for other bases (SD 1.5 wider than tiny-sd15)
    levels = plan_levels([32, 96], [32, 64, 64])
    other = {k: torch.zeros(v.shape) for k, v in XAdapterMapping(levels).state_dict().items()}
    save_file(other, str(copied_models / "other.safetensors"))
    (copied_models / "corrupt.safetensors").write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00{garbage")
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"path": "other.safetensors"}, "model_invalid",
         "body.0.in_conv.weight maps 96 to 64 channels but SD 1.5 base 'tiny-sd15' + SDXL base 'tiny-sdxl' "
         "need 64 to 64"),
        ({"path": "corrupt.safetensors"}, "model_invalid", "corrupt.safetensors cannot be read"),
        ({"path": "x-adapter.safetensors", "sd15_base": "sd15-gone"}, "model_not_found",
         "base model 'sd15-gone' is not configured"),
    ]
    for entry, code, message in cases:
        models = copied_models.parent / f"m-{code}-{len(message)}"
        shutil.copytree(copied_models, models)
        _registry_with(models, **entry)
        eng = GenerateEngine(ModelRegistry.load(models / "models.json", env={}), engine.spec)
        with FakeApp() as app:
            bad = app.add_job(xl(controls=[{**CANNY, "image": "p"}]), {"p": photo})
            good = app.add_job(plain())
            Worker(WorkerClient(app.url, app.token), eng, "w", lease_wait_s=1).run(max_jobs=2)
        assert bad.result is not None and bad.result["error"]["code"] == code, bad.result
        assert message in bad.result["error"]["message"]
        assert good.state == "succeeded"

    with FakeApp() as app:
        unknown = app.add_job(xl(controls=[{**CANNY, "image": "p", "family": "sd3"}]), {"p": photo})
        no_route = app.add_job(xl(x_adapter={"name": "nope"}, controls=[{**CANNY, "image": "p"}]), {"p": photo})
        wrong_way = app.add_job(plain(controls=[{"type": "canny", "image": "p", "family": "sdxl"}]), {"p": photo})
        good = app.add_job(plain())
        Worker(WorkerClient(app.url, app.token), engine, "w", lease_wait_s=1).run(max_jobs=4)
    assert unknown.result is not None and unknown.result["error"]["code"] == "invalid_input"
    assert "family" in unknown.result["error"]["message"]
    assert no_route.result is not None and no_route.result["error"]["code"] == "model_not_found"
    assert "X-Adapter 'nope' is not configured" in no_route.result["error"]["message"]
    assert wrong_way.result is not None and wrong_way.result["error"]["code"] == "invalid_input"
    assert "sdxl" in wrong_way.result["error"]["message"] and "sd15" in wrong_way.result["error"]["message"]
    assert good.state == "succeeded"


def test_sd15_plugin_on_sdxl_without_x_adapter_is_refused(copied_models: Path, engine: GenerateEngine,
                                                          files: dict[str, Path]) -> None:
    config = json.loads((copied_models / "models.json").read_text())
    del config["x_adapters"]
    (copied_models / "models.json").write_text(json.dumps(config))
    eng = GenerateEngine(ModelRegistry.load(copied_models / "models.json", env={}), engine.spec)
    with pytest.raises(InvalidInput, match=r"controls\[0\] \(controlnet canny\) is sd15: an SD 1\.5 plugin runs on "
                                           r"SDXL only through X-Adapter, and no X-Adapter is configured"):
        eng.run(GenerateParams.model_validate(xl(controls=[CANNY])), files)


def test_x_adapter_and_train_xadapter_jobs_through_the_worker(engine: GenerateEngine, files: dict[str, Path]) -> None:
    photo, lora = files["photo"].read_bytes(), files["style-peft"].read_bytes()
    with FakeApp() as app:
        job = app.add_job(xl(controls=[{**CANNY, "image": "p"}], loras=[{"file": "l", "family": "sd15"}],
                             preview_every=1), {"p": photo, "l": lora})
        train = app.add_job({"captions": ["a red house"], "images": ["p"], "steps": 2, "seed": 1, "resolution": 64},
                            {"p": photo}, kind="train_xadapter")
        worker = Worker(WorkerClient(app.url, app.token), engine, "w", lease_wait_s=1)
        assert "train_xadapter" in worker.lease_request().capabilities.kinds
        assert worker.lease_request().capabilities.x_adapters == ["default"]
        worker.run(max_jobs=2)
    assert job.state == "succeeded", job.result
    assert job.result is not None
    x = job.result["metadata"]["x_adapter"]
    assert x["branches"]["sd15"][0] == "controls[0] (controlnet canny)" and x["stage1_steps"] == 1
    assert any(hb["preview_png_base64"] for hb in job.heartbeats)
    assert train.state == "succeeded", train.result
    assert train.result is not None
    data, _ = app.uploads[f"{train.id}/0"]
    assert set(load_file_bytes(data)) == set(XAdapterMapping(plan_levels([32, 64], [32, 64, 64])).state_dict())
    assert train.result["metadata"]["adapter"]["kind"] == "x_adapter"


def test_train_cli(models_dir: Path, files: dict[str, Path], tmp_path: Path, one_thread: None) -> None:
    from adapter_worker.xadapter_train import main

    out = tmp_path / "mine.safetensors"
    assert main(["--models", str(models_dir / "models.json"), "--caption", "a red house", "--image",
                 str(files["photo"]), "--steps", "2", "--resolution", "64", "--out", str(out)]) == 0
    state = load_file(str(out))
    assert "body.3.up_opt.op.weight" in state and "zero_out.1.bias" in state


def test_sdxl_plugin_in_an_x_adapter_job_is_refused(engine: GenerateEngine, files: dict[str, Path],
                                                    models_dir: Path) -> None:
    xl_lora = models_dir / "sdxl" / "loras" / "style-peft.safetensors"
    with pytest.raises(InvalidInput, match=r"X-Adapter job carries its plugins on the SD 1\.5 branch only; "
                                           r"SDXL-family plugins in the same job: \['loras\[0\] \(xl-lora"):
        engine.run(GenerateParams.model_validate(xl(controls=[CANNY], loras=[{"file": "xl-lora"}])),
                   {**files, "xl-lora": xl_lora})
