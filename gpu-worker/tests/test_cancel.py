"""Cancellation stops a job within one step and cannot be swallowed by `except Exception`."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapter_worker.errors import JobCancelled
from adapter_worker.generate import GenerateEngine
from adapter_worker.params import GenerateParams
from adapter_worker.progress import Progress, StepMonitor

from conftest import plain


def test_cancelled_is_not_an_exception() -> None:
    assert issubclass(JobCancelled, BaseException) and not issubclass(JobCancelled, Exception)
    with pytest.raises(JobCancelled):
        try:
            raise JobCancelled("x")
        except Exception:  # what careless library code does
            pytest.fail("except Exception swallowed the cancellation")


@pytest.mark.parametrize("cancel_after", [1, 4])
def test_cancel_stops_within_one_step(engine: GenerateEngine, files: dict[str, Path], cancel_after: int) -> None:
    _, _, pipe = engine.pipeline(None)
    unet_calls: list[int] = []
    handle = pipe.unet.register_forward_hook(lambda *_: unet_calls.append(1))
    seen: list[int] = []
    monitor = StepMonitor()

    def on_progress(p: Progress) -> None:
        seen.append(p.step)
        if p.step == cancel_after:
            monitor.cancel()  # as the heartbeat thread does when the app says cancel

    monitor.on_progress = on_progress
    try:
        with pytest.raises(JobCancelled):
            engine.run(GenerateParams.model_validate(plain(steps=20, references=[{"image": "ref_a"}],
                                                           loras=[{"file": "style-peft"}])), files, monitor)
    finally:
        handle.remove()
    assert seen == list(range(1, cancel_after + 1))
    assert len(unet_calls) == cancel_after  # not one denoising step more
    assert pipe.unet.encoder_hid_proj is None and not getattr(pipe.unet, "peft_config", {})


def test_previews_every_n_steps(engine: GenerateEngine, files: dict[str, Path]) -> None:
    got: list[Progress] = []
    monitor = StepMonitor(got.append, preview_every=2)
    engine.run(GenerateParams.model_validate(plain(steps=6)), files, monitor)
    assert [p.step for p in got] == [1, 2, 3, 4, 5, 6] and all(p.total == 6 for p in got)
    previews = [p.step for p in got if p.preview is not None]
    assert previews == [2, 4]  # none at the last step: the real image follows
    image = got[1].preview
    assert image is not None and image.mode == "RGB" and image.size == (64, 64)
