"""Session fixtures: one tiny model set built into a temp dir, one engine (one model cache)
shared by the tests, as one worker process would serve many jobs."""

from __future__ import annotations

import os

os.environ["HF_HUB_OFFLINE"] = "1"  # before diffusers/transformers import: no hub, ever

import tempfile

# SVDiff's per-base-model SVD cache: a fresh folder per test session, never the user's ~/.cache
os.environ["ADAPTER_WORKER_SVD_CACHE"] = tempfile.mkdtemp(prefix="svd-cache-")

import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image, ImageDraw
from safetensors.torch import save_file

from adapter_worker.__main__ import quiet_libraries
from adapter_worker.arch_configs import TINY
from adapter_worker.device import DeviceSpec, select_device
from adapter_worker.generate import GenerateEngine
from adapter_worker.registry import ModelRegistry
from adapter_worker.tiny import build_model_set

quiet_libraries()


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("tiny-models")
    build_model_set(out, TINY, seed=0)
    return out


@pytest.fixture(scope="session")
def spec() -> DeviceSpec:
    return select_device("cpu")


@pytest.fixture(scope="session")
def registry(models_dir: Path) -> ModelRegistry:
    return ModelRegistry.load(models_dir / "models.json", env={})


@pytest.fixture(scope="session")
def engine(registry: ModelRegistry, spec: DeviceSpec) -> GenerateEngine:
    return GenerateEngine(registry, spec)


@pytest.fixture
def copied_models(models_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the model set that a test may damage."""
    dest = tmp_path / "models"
    shutil.copytree(models_dir, dest)
    return dest


@pytest.fixture(scope="session")
def files(tmp_path_factory: pytest.TempPathFactory, models_dir: Path) -> dict[str, Path]:
    """Job inputs by name: two reference photos, a photo for canny, a ready control map, LoRAs."""
    d = tmp_path_factory.mktemp("inputs")
    rng = np.random.default_rng(7)
    paths: dict[str, Path] = {}
    for name in ("ref_a", "ref_b"):
        paths[name] = d / f"{name}.png"
        Image.fromarray(rng.integers(0, 255, (48, 48, 3), dtype=np.uint8)).save(paths[name])
    photo = Image.new("RGB", (64, 64), "black")
    draw = ImageDraw.Draw(photo)
    draw.rectangle((12, 12, 50, 40), fill="white")
    draw.ellipse((20, 30, 44, 60), fill=(120, 40, 200))
    paths["photo"] = d / "photo.jpg"
    photo.save(paths["photo"])
    paths["depth_map"] = d / "depth.png"
    Image.fromarray(np.tile(np.linspace(0, 255, 64, dtype=np.uint8), (64, 1))).convert("RGB").save(paths["depth_map"])
    paths["not_image"] = d / "notes.png"
    paths["not_image"].write_bytes(b"this is not a PNG at all")
    for lora in ("style-peft", "style-kohya", "detail-peft", "subject-svdiff", "style-svdiff"):
        paths[lora] = models_dir / "loras" / f"{lora}.safetensors"
    bad = d / "foreign-lora.safetensors"
    # kohya keys for blocks no SD 1.5 UNet has (e.g. a LoRA for another architecture)
    save_file({"lora_unet_single_blocks_0_attn_to_q.lora_down.weight": torch.zeros(4, 32),
               "lora_unet_single_blocks_0_attn_to_q.lora_up.weight": torch.zeros(32, 4),
               "lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q.lora_down.weight":
                   torch.zeros(4, 32),
               "lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q.lora_up.weight":
                   torch.zeros(32, 4)}, str(bad))
    paths["foreign-lora"] = bad
    return paths


def plain(**overrides: object) -> dict[str, object]:
    """Minimal job params: 64x64, 3 steps, fixed seed (tests add what they exercise)."""
    params: dict[str, object] = {"prompt": "a red house by a lake", "negative_prompt": "blurry", "seed": 1234,
                                 "steps": 3, "width": 64, "height": 64, "guidance_scale": 6.0}
    params.update(overrides)
    return params


def pixels(image: Image.Image) -> np.ndarray:
    return np.asarray(image, dtype=np.int16)


@pytest.fixture
def one_thread() -> Iterator[None]:
    """Training loops on tiny models are thousands of small kernels: with two OpenMP threads on a
    busy 2-core machine each one waits on the other (10x slower and erratic); one thread is as
    fast when idle and steady when not."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)
