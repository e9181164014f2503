"""Bad jobs and bad files end in one clear, coded error naming the culprit."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
import torch
from pydantic import ValidationError
from safetensors.torch import save_file

from adapter_worker import model_builders as mb
from adapter_worker.arch_configs import TINY
from adapter_worker.device import DeviceSpec
from adapter_worker.errors import InvalidInput, LoraMismatch, ModelInvalid, ModelNotFound, WorkerError
from adapter_worker.generate import GenerateEngine
from adapter_worker.params import GenerateParams
from adapter_worker.registry import ModelRegistry

from conftest import plain


def run(engine: GenerateEngine, files: dict[str, Path], **overrides: object) -> None:
    engine.run(GenerateParams.model_validate(plain(**overrides)), files)


def engine_for(models: Path, spec: DeviceSpec) -> GenerateEngine:
    return GenerateEngine(ModelRegistry.load(models / "models.json", env={}), spec)


def truncate(path: Path, keep: float = 0.5) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


def test_unknown_base_model(engine: GenerateEngine, files: dict[str, Path]) -> None:
    with pytest.raises(ModelNotFound,
                       match=r"base model 'sdxl-turbo' is not configured; known: \['tiny-sd15', 'tiny-sdxl'\]"):
        run(engine, files, base_model="sdxl-turbo")


def test_unknown_control_type(engine: GenerateEngine, files: dict[str, Path]) -> None:
    with pytest.raises(ModelNotFound, match=r"no ControlNet for control type 'openpose'.*known: \['canny'"):
        run(engine, files, controls=[{"type": "openpose", "image": "photo"}])
    with pytest.raises(ModelNotFound, match=r"no T2I-Adapter for control type 'lineart'"):
        run(engine, files, controls=[{"type": "lineart", "image": "photo", "adapter": "t2i_adapter"}])


@pytest.mark.parametrize("field", ["width", "height"])
def test_size_not_multiple_of_8(field: str) -> None:
    with pytest.raises(ValidationError, match="100 is not a multiple of 8"):
        GenerateParams.model_validate(plain(**{field: 100}))


def test_params_reject_unknown_fields_and_bad_values() -> None:
    with pytest.raises(ValidationError, match="guidance"):
        GenerateParams.model_validate(plain(guidance=7))  # typo of guidance_scale
    with pytest.raises(ValidationError, match="exactly one of"):
        GenerateParams.model_validate(plain(references=[{"image": "a", "image_embeds": "b"}]))
    with pytest.raises(ValidationError, match="start"):
        GenerateParams.model_validate(plain(controls=[{"type": "canny", "image": "a", "start": 0.8, "end": 0.2}]))
    with pytest.raises(ValidationError, match="scheduler"):
        GenerateParams.model_validate(plain(scheduler="heun++"))


def test_missing_model_file_is_named(copied_models: Path, spec: DeviceSpec, files: dict[str, Path]) -> None:
    shutil.rmtree(copied_models / "controlnet-depth")
    with pytest.raises(ModelNotFound, match=r"controlnet-depth does not exist"):
        run(engine_for(copied_models, spec), files, controls=[{"type": "depth", "image": "depth_map"}])


def test_truncated_model_weights_are_named(copied_models: Path, spec: DeviceSpec, files: dict[str, Path]) -> None:
    weights = copied_models / "controlnet-canny" / "diffusion_pytorch_model.safetensors"
    truncate(weights)
    with pytest.raises(ModelInvalid, match=r"controlnet-canny/diffusion_pytorch_model.safetensors is not a readable"):
        run(engine_for(copied_models, spec), files, controls=[{"type": "canny", "image": "photo"}])


def test_corrupt_ip_adapter_file(copied_models: Path, spec: DeviceSpec, files: dict[str, Path]) -> None:
    (copied_models / "ip-adapter_sd15.safetensors").write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00{garbage")
    with pytest.raises(ModelInvalid, match=r"ip-adapter_sd15\.safetensors is not a readable \.safetensors"):
        run(engine_for(copied_models, spec), files, references=[{"image": "ref_a"}])


def test_truncated_lora_input(engine: GenerateEngine, files: dict[str, Path], tmp_path: Path) -> None:
    lora = tmp_path / "upload.safetensors"
    shutil.copy(files["style-peft"], lora)
    truncate(lora, 0.7)
    with pytest.raises(WorkerError, match=r"upload.safetensors is not a readable .safetensors file"):
        run(engine, {**files, "mine": lora}, loras=[{"file": "mine"}])


def test_lora_matching_no_layer_lists_keys(engine: GenerateEngine, files: dict[str, Path]) -> None:
    with pytest.raises(LoraMismatch, match=r"foreign-lora: 1 layer\(s\) it targets do not exist in the base model: "
                                          r"unet\.single\.blocks\.0\.attn\.to_q$"):
        run(engine, files, loras=[{"file": "foreign-lora"}])


def test_not_an_image(engine: GenerateEngine, files: dict[str, Path]) -> None:
    with pytest.raises(InvalidInput, match=r"references\[0\]: notes.png is not a readable image"):
        run(engine, files, references=[{"image": "not_image"}])
    with pytest.raises(InvalidInput, match=r"controls\[0\]: notes.png is not a readable image"):
        run(engine, files, controls=[{"type": "canny", "image": "not_image", "preprocess": "canny"}])


def test_input_not_provided(engine: GenerateEngine, files: dict[str, Path]) -> None:
    with pytest.raises(InvalidInput, match=r"does not provide: \['ghost'\]"):
        run(engine, files, references=[{"image": "ghost"}])


def test_encoder_and_adapter_size_mismatch(copied_models: Path, spec: DeviceSpec, files: dict[str, Path]) -> None:
    # An IP-Adapter made for a 24-wide image embedding, beside an encoder that gives 16.
    other = dataclasses.replace(TINY, image_encoder={**TINY.image_encoder, "projection_dim": 24})
    save_file(mb.build_ip_adapter_state(other, mb.build_unet(TINY, 0), "base", 0),
              str(copied_models / "ip-adapter_sd15.safetensors"))
    with pytest.raises(ModelInvalid, match=r"image encoder .*image_encoder gives embeddings of width 16 "
                                           r"\(projection_dim\) but IP-Adapter .*ip-adapter_sd15.safetensors"
                                           r" \(base\) expects 24"):
        run(engine_for(copied_models, spec), files, references=[{"image": "ref_a"}])


def test_embeds_of_wrong_width(engine: GenerateEngine, files: dict[str, Path], tmp_path: Path) -> None:
    bad = tmp_path / "embeds.safetensors"
    save_file({"image_embeds": torch.zeros(1, 1024)}, str(bad))
    with pytest.raises(InvalidInput, match=r"image_embeds of shape \[1, 1024\] does not fit IP-Adapter "
                                             r"ip-adapter_sd15.safetensors \(base\), which expects \[1, 16\]"):
        run(engine, {**files, "e": bad}, references=[{"image_embeds": "e"}])


def test_controlnet_for_another_unet(copied_models: Path, spec: DeviceSpec, files: dict[str, Path]) -> None:
    wide = dataclasses.replace(TINY, controlnet_extra={**TINY.controlnet_extra, "block_out_channels": [32, 32]})
    shutil.rmtree(copied_models / "controlnet-canny")
    mb.build_controlnet(wide, 0).save_pretrained(str(copied_models / "controlnet-canny"))
    with pytest.raises(ModelInvalid, match=r"ControlNet .*controlnet-canny has block channels \[32, 32\]; "
                                           r"the base model's UNet has \[32, 64\]"):
        run(engine_for(copied_models, spec), files, controls=[{"type": "canny", "image": "photo"}])
