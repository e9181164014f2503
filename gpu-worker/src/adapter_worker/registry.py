"""Model registry: which local files this worker serves, read from a JSON or TOML file.

    {
      "version": 1,
      "default_base_model": "sd15",
      "base_models":    {"sd15": {"path": "sd15", "family": "sd15"}},
      "controlnets":    {"sd15": {"canny": {"path": "control_v11p_sd15_canny"}}},
      "t2i_adapters":   {"sd15": {"canny": {"path": "t2iadapter_canny_sd15v2"}}},
      "image_encoders": {"vit-h": {"path": "image_encoder"}},
      "ip_adapters":    {"sd15": {"base": {"path": "ip-adapter_sd15.safetensors", "image_encoder": "vit-h"}}},
      "x_adapters":     {"default": {"path": "x-adapter.safetensors", "sd15_base": "sd15", "sdxl_base": "sdxl"}}
    }

Base models of family `sdxl` may name `vae`, a diffusers VAE folder that replaces the pipeline's
(e.g. madebyollin/sdxl-vae-fp16-fix, which runs in fp16 without NaNs).

Relative paths are resolved against ADAPTER_WORKER_MODELS_ROOT, else the config file's folder.
A `path` is a diffusers folder or a single `.safetensors` file; single files take `config`, a local
folder with the matching diffusers config (nothing is fetched). Env overrides replace or add a
path: ADAPTER_WORKER_MODEL__CONTROLNETS__SD15__CANNY=/models/cn-canny (segments lower-cased).
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from .errors import ModelNotFound

Family = Literal["sd15", "sdxl"]
ENV_PREFIX = "ADAPTER_WORKER_MODEL__"


class ModelEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    path: Path
    config: Path | None = None  # diffusers config folder for a single-file checkpoint


class BaseModelEntry(ModelEntry):
    family: Family = "sd15"
    vae: Path | None = None  # optional replacement VAE folder (e.g. the fp16-fixed SDXL VAE)


class IPAdapterEntry(ModelEntry):
    image_encoder: str


class XAdapterEntry(ModelEntry):
    """X-Adapter mapping layers (one .safetensors) and the two bases they were trained between."""

    sd15_base: str
    sdxl_base: str


class RegistryConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: Literal[1] = 1
    default_base_model: str | None = None
    base_models: dict[str, BaseModelEntry] = {}
    controlnets: dict[Family, dict[str, ModelEntry]] = {}
    t2i_adapters: dict[Family, dict[str, ModelEntry]] = {}
    image_encoders: dict[str, ModelEntry] = {}
    ip_adapters: dict[Family, dict[str, IPAdapterEntry]] = {}
    x_adapters: dict[str, XAdapterEntry] = {}


def _apply_env_overrides(raw: dict[str, object], env: Mapping[str, str]) -> None:
    for key, value in env.items():
        if not key.startswith(ENV_PREFIX):
            continue
        parts = [p.lower() for p in key[len(ENV_PREFIX):].split("__") if p]
        if len(parts) < 2:
            raise ValueError(f"{key}: expected {ENV_PREFIX}<SECTION>__<NAME>[__<NAME>]=path")
        node: dict[str, object] = raw
        for part in parts[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise ValueError(f"{key}: {part!r} is not a section of the registry")
            node = child
        entry = node.get(parts[-1])
        if isinstance(entry, dict):
            entry["path"] = value
        else:
            node[parts[-1]] = {"path": value}


class ModelRegistry:
    """Looks models up by name and checks that their files exist, naming what is missing."""

    def __init__(self, config: RegistryConfig, root: Path) -> None:
        self.config = config
        self.root = root

    @classmethod
    def load(cls, path: Path, env: Mapping[str, str] | None = None) -> ModelRegistry:
        env = os.environ if env is None else env
        if not path.is_file():
            raise ModelNotFound(f"model registry config {path} does not exist")
        text = path.read_text(encoding="utf-8")
        try:
            raw = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
        except (ValueError, tomllib.TOMLDecodeError) as err:
            raise ValueError(f"{path}: not valid {path.suffix.lstrip('.') or 'JSON'}: {err}") from err
        _apply_env_overrides(raw, env)
        try:
            config = RegistryConfig.model_validate(raw)
        except ValidationError as err:
            raise ValueError(f"{path}: invalid model registry: {err}") from err
        root = Path(env.get("ADAPTER_WORKER_MODELS_ROOT") or path.parent)
        return cls(config, root)

    def resolve(self, entry: ModelEntry) -> ModelEntry:
        """The entry with absolute paths; raises ModelNotFound naming a missing file."""
        path = entry.path if entry.path.is_absolute() else self.root / entry.path
        config = entry.config
        if config is not None and not config.is_absolute():
            config = self.root / config
        if not path.exists():
            raise ModelNotFound(f"model file {path} does not exist (expected a diffusers folder or .safetensors)")
        if path.is_file() and config is None and not isinstance(entry, (IPAdapterEntry, XAdapterEntry)):
            raise ModelNotFound(f"{path} is a single-file checkpoint: set `config` to a local diffusers "
                                "config folder for it (the worker never fetches configs)")
        if config is not None and not config.is_dir():
            raise ModelNotFound(f"config folder {config} for {path} does not exist")
        update: dict[str, object] = {"path": path, "config": config}
        if isinstance(entry, BaseModelEntry) and entry.vae is not None:
            vae = entry.vae if entry.vae.is_absolute() else self.root / entry.vae
            if not (vae / "config.json").is_file():
                raise ModelNotFound(f"VAE folder {vae} for base model {path} does not exist or has no config.json "
                                    "(expected an AutoencoderKL saved with save_pretrained)")
            update["vae"] = vae
        return entry.model_copy(update=update)

    def base_model(self, name: str | None) -> tuple[str, BaseModelEntry]:
        key = name or self.config.default_base_model
        if key is None or key not in self.config.base_models:
            raise ModelNotFound(f"base model {key!r} is not configured; known: {sorted(self.config.base_models)}")
        return key, self.config.base_models[key]

    def _lookup(self, section: str, table: dict[Family, dict[str, ModelEntry]], family: Family,
                name: str) -> ModelEntry:
        known = table.get(family, {})
        if name not in known:
            raise ModelNotFound(f"no {section} for control type {name!r} on {family}; known: {sorted(known)}")
        return known[name]

    def controlnet(self, family: Family, control_type: str) -> ModelEntry:
        return self._lookup("ControlNet", self.config.controlnets, family, control_type)

    def t2i_adapter(self, family: Family, control_type: str) -> ModelEntry:
        return self._lookup("T2I-Adapter", self.config.t2i_adapters, family, control_type)

    def ip_adapter(self, family: Family, name: str) -> IPAdapterEntry:
        known = self.config.ip_adapters.get(family, {})
        if name not in known:
            raise ModelNotFound(f"no IP-Adapter {name!r} on {family}; known: {sorted(known)}")
        return known[name]

    def x_adapter(self, name: str) -> XAdapterEntry:
        if name not in self.config.x_adapters:
            raise ModelNotFound(f"X-Adapter {name!r} is not configured; known: {sorted(self.config.x_adapters)}")
        return self.config.x_adapters[name]

    def image_encoder(self, name: str) -> ModelEntry:
        if name not in self.config.image_encoders:
            raise ModelNotFound(f"image encoder {name!r} is not configured; known: "
                                f"{sorted(self.config.image_encoders)}")
        return self.config.image_encoders[name]

    def capabilities(self) -> dict[str, list[str]]:
        """What this worker can serve, sent with every lease request so the queue can route jobs."""
        caps: dict[str, list[str]] = {"base_models": sorted(self.config.base_models)}
        for section, table in (("controlnets", self.config.controlnets),
                               ("t2i_adapters", self.config.t2i_adapters),
                               ("ip_adapters", self.config.ip_adapters)):
            caps[section] = sorted(f"{fam}/{name}" for fam, entries in table.items() for name in entries)
        caps["x_adapters"] = self.usable_x_adapters()
        return caps

    def usable_x_adapters(self) -> list[str]:
        """X-Adapter entries this worker can run: the file is there and both bases are configured
        with their families (sd15_base an sd15 model, sdxl_base an sdxl one)."""
        bases = self.config.base_models
        out = []
        for name, entry in self.config.x_adapters.items():
            path = entry.path if entry.path.is_absolute() else self.root / entry.path
            if path.is_file() and getattr(bases.get(entry.sd15_base), "family", None) == "sd15" \
                    and getattr(bases.get(entry.sdxl_base), "family", None) == "sdxl":
                out.append(name)
        return sorted(out)
