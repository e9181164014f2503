"""Registry config: JSON or TOML, relative paths, env overrides, errors that name files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adapter_worker.errors import ModelNotFound
from adapter_worker.registry import ModelRegistry


def test_loads_the_factory_config(registry: ModelRegistry, models_dir: Path) -> None:
    name, entry = registry.base_model(None)
    assert name == "tiny-sd15" and registry.resolve(entry).path == models_dir / "base"
    assert registry.capabilities() == {
        "base_models": ["tiny-sd15", "tiny-sdxl"],
        "controlnets": ["sd15/canny", "sd15/depth", "sd15/lineart", "sdxl/canny"],
        "t2i_adapters": ["sd15/canny", "sd15/depth", "sdxl/canny"],
        "ip_adapters": ["sd15/base", "sd15/plus", "sdxl/base", "sdxl/plus"],
        "x_adapters": ["default"]}


def test_toml_and_env_overrides(tmp_path: Path, models_dir: Path) -> None:
    config = tmp_path / "models.toml"
    config.write_text(
        'version = 1\ndefault_base_model = "sd15"\n'
        '[base_models.sd15]\npath = "base"\nfamily = "sd15"\n'
        '[controlnets.sd15.canny]\npath = "controlnet-canny"\n')
    env = {"ADAPTER_WORKER_MODELS_ROOT": str(models_dir),
           "ADAPTER_WORKER_MODEL__CONTROLNETS__SD15__CANNY": str(models_dir / "controlnet-depth"),
           "ADAPTER_WORKER_MODEL__T2I_ADAPTERS__SD15__DEPTH": "t2i-adapter-depth"}
    reg = ModelRegistry.load(config, env=env)
    assert reg.resolve(reg.controlnet("sd15", "canny")).path == models_dir / "controlnet-depth"
    assert reg.resolve(reg.t2i_adapter("sd15", "depth")).path == models_dir / "t2i-adapter-depth"
    assert reg.resolve(reg.base_model(None)[1]).path == models_dir / "base"


def test_single_file_needs_a_local_config(tmp_path: Path, models_dir: Path) -> None:
    config = tmp_path / "models.json"
    config.write_text(json.dumps({"base_models": {"x": {"path": str(models_dir / "controlnet-lineart.safetensors")}},
                                  "default_base_model": "x"}))
    reg = ModelRegistry.load(config, env={})
    with pytest.raises(ModelNotFound, match="single-file checkpoint: set `config`"):
        reg.resolve(reg.base_model(None)[1])


def test_bad_config_files(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFound, match="does not exist"):
        ModelRegistry.load(tmp_path / "nope.json", env={})
    bad = tmp_path / "bad.json"
    bad.write_text('{"base_modles": {}}')
    with pytest.raises(ValueError, match="base_modles"):
        ModelRegistry.load(bad, env={})
