"""The model cache: LRU by bytes, never evicting what the running job uses; LoRAs stay in RAM."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from adapter_worker import cache as cache_module
from adapter_worker.cache import LoraStore, ModelCache
from adapter_worker.generate import GenerateEngine
from adapter_worker.params import GenerateParams

from conftest import plain


def test_lru_eviction_respects_budget_and_pins() -> None:
    cache = ModelCache(budget_bytes=100)
    with cache.job_scope():
        cache.get("a", lambda: "A", lambda _: 60)
        cache.get("b", lambda: "B", lambda _: 60)  # over budget, but both pinned by this job
        assert cache.keys() == ["a", "b"]
    assert cache.keys() == ["b"]  # after the job: least recently used goes first
    with cache.job_scope():
        assert cache.get("b", lambda: "reloaded", lambda _: 60) == "B"  # a hit, no load
        cache.get("c", lambda: "C", lambda _: 30)
    assert cache.keys() == ["b", "c"] and cache.resident_bytes == 90 and cache.loads == 3


def test_lora_swaps_do_not_reload_the_pipeline(engine: GenerateEngine, files: dict[str, Path],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    engine.run(GenerateParams.model_validate(plain()), files)
    loads = engine.cache.loads
    monkeypatch.setattr(engine, "loras", LoraStore())  # empty, so every parse is counted here
    parsed: list[str] = []
    read = cache_module.read_safetensors

    def counting(path: Path, what: str) -> dict[str, torch.Tensor]:
        parsed.append(path.name)
        return read(path, what)

    monkeypatch.setattr(cache_module, "read_safetensors", counting)
    for lora in ("style-peft", "style-kohya", "style-peft"):
        engine.run(GenerateParams.model_validate(plain(loras=[{"file": lora}])), files)
    assert engine.cache.loads == loads  # same pipeline object throughout
    # LoRA weights parsed once each (the second style-peft job reuses them), kept on the host
    assert parsed == [files["style-peft"].name, files["style-kohya"].name]
    assert len(engine.loras) == 2
