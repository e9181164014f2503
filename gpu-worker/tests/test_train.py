"""The `train` job on the tiny model: learning, Cut-Mix-Unmix, outputs, bad input, no leaks."""

from __future__ import annotations

import hashlib
import io
import random
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image, ImageDraw
from pydantic import ValidationError
from safetensors import safe_open

from adapter_worker.cut_mix import collage, other_half_mask, random_collage, token_positions, unmix_loss
from adapter_worker.errors import InvalidInput
from adapter_worker.generate import GenerateEngine
from adapter_worker.params import GenerateParams, TrainParams
from adapter_worker.spectral_shift import FORMAT, is_spectral_file
from adapter_worker.train import TrainJob

from conftest import plain

pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture(scope="module")
def train_job(engine: GenerateEngine, tmp_path_factory: pytest.TempPathFactory) -> TrainJob:
    return TrainJob(engine, tmp_path_factory.mktemp("svd-cache"))


@pytest.fixture(scope="module")
def photos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("photos")
    out: dict[str, Path] = {}
    for i, color in enumerate(["red", "blue", "green"]):
        img = Image.new("RGB", (80, 72), "white")
        ImageDraw.Draw(img).ellipse((10 + 5 * i, 8, 60, 60), fill=color)
        out[f"dog{i}"] = d / f"dog{i}.png"
        img.save(out[f"dog{i}"])
    cat = Image.new("RGB", (64, 64), "black")
    ImageDraw.Draw(cat).rectangle((16, 16, 48, 48), fill="yellow")
    out["cat0"] = d / "cat0.png"
    cat.save(out["cat0"])
    out["small"] = d / "small.png"
    Image.new("RGB", (48, 48), "gray").save(out["small"])
    out["not_image"] = d / "notes.png"
    out["not_image"].write_bytes(b"plain text, not a picture")
    return out


def base(**overrides: object) -> dict[str, object]:
    p: dict[str, object] = {"images": ["dog0", "dog1", "dog2"], "instance_prompt": "a photo of sks dog",
                            "steps": 50, "lr": 1e-2, "seed": 3, "resolution": 64, "num_samples": 0,
                            "sample_steps": 2}
    p.update(overrides)
    return p


def _weights(engine: GenerateEngine) -> dict[str, torch.Tensor]:
    _, _, pipe = engine.pipeline(None)
    # peft leaves its wrappers (`.base_layer`) after adapters are deleted: compare base weights
    return {n.replace(".base_layer", ""): p.detach().clone() for n, p in pipe.unet.named_parameters()
            if "lora_" not in n}


def _falls(losses: dict[str, float]) -> bool:
    return losses["last10_mean"] < 0.9 * losses["first10_mean"]


def test_svdiff_loss_falls_and_the_file_holds_only_delta(engine: GenerateEngine, train_job: TrainJob,
                                                         photos: dict[str, Path]) -> None:
    before = _weights(engine)
    result = train_job.run(TrainParams.model_validate(base(num_samples=1)), photos)
    assert _falls(result.metadata["loss"]), result.metadata["loss"]
    adapter, sample = result.files
    assert adapter.content_type == "application/octet-stream" and sample.content_type == "image/png"
    assert Image.open(io.BytesIO(sample.data)).size == (64, 64) and sample.seed == 3
    meta = result.metadata["adapter"]
    assert meta["kind"] == "svdiff" and meta["base_model"] == "tiny-sd15" and meta["bytes"] == len(adapter.data)
    path = Path(train_job.bases.cache_dir) / "trained.safetensors"
    path.write_bytes(adapter.data)
    assert is_spectral_file(path)
    with safe_open(str(path), framework="pt") as f:
        assert f.metadata()["format"] == FORMAT
        assert sum(f.get_tensor(k).numel() for k in f.keys()) == meta["parameters"]  # noqa: SIM118
    after = _weights(engine)
    assert all(torch.equal(before[n], after[n]) for n in before)  # the shared model is untouched
    assert result.metadata["settings"]["method"] == "svdiff"


def test_lora_loss_falls_and_generate_uses_the_file(engine: GenerateEngine, train_job: TrainJob,
                                                    photos: dict[str, Path], files: dict[str, Path],
                                                    tmp_path: Path) -> None:
    before = _weights(engine)
    result = train_job.run(TrainParams.model_validate(base(method="lora", rank=4)), photos)
    assert _falls(result.metadata["loss"]), result.metadata["loss"]
    assert [f.content_type for f in result.files] == ["application/octet-stream"]
    _, _, pipe = engine.pipeline(None)
    assert not getattr(pipe.unet, "peft_config", None)  # the training adapter is gone
    after = _weights(engine)
    assert set(after) == set(before) and all(torch.equal(before[n], after[n]) for n in before)
    lora = tmp_path / "trained-lora.safetensors"
    lora.write_bytes(result.files[0].data)
    with_lora = engine.run(GenerateParams.model_validate(plain(loras=[{"file": "mine"}])), {**files, "mine": lora})
    without = engine.run(GenerateParams.model_validate(plain()), files)
    assert np.abs(np.asarray(with_lora.images[0], np.int16) - np.asarray(without.images[0], np.int16)).max() > 0


def test_collage_geometry_and_prompt() -> None:
    a, b = Image.new("RGB", (64, 64), "red"), Image.new("RGB", (64, 64), "blue")
    ImageDraw.Draw(a).rectangle((16, 0, 47, 63), fill="white")  # a's centre strip is white
    c = collage(a, b, "sks dog", "zwx cat")
    arr = np.asarray(c.image)
    assert c.image.size == (64, 64)
    assert (arr[:, :32] == [255, 255, 255]).all() and (arr[:, 32:] == [0, 0, 255]).all()
    assert c.prompt == "a photo of sks dog on the left and zwx cat on the right"
    rng = random.Random(0)  # noqa: S311
    sides = {random_collage(rng, [[a], [b]], ["sks dog", "zwx cat"]).left for _ in range(20)}
    assert sides == {0, 1}
    swapped = next(c for c in (random_collage(rng, [[a], [b]], ["sks dog", "zwx cat"]) for _ in range(20))
                   if c.left == 1)
    assert swapped.prompt == "a photo of zwx cat on the left and sks dog on the right"
    assert (np.asarray(swapped.image)[:, 32:] == [255, 255, 255]).all()


def test_unmix_loss_is_zero_inside_the_own_half_and_positive_across() -> None:
    h, w, tokens = 4, 4, 10
    left = other_half_mask(h, w, "right")  # 1 on the left half
    right = other_half_mask(h, w, "left")
    staying = torch.zeros(2, h * w, tokens)
    staying[:, :, 1] = left / left.sum()  # subject 0 (token 1) on the left
    staying[:, :, 5] = right / right.sum()  # subject 1 (token 5) on the right
    assert unmix_loss([staying], (h, w), [[1], [5]], ["left", "right"]).item() == 0.0
    crossing = staying.clone()
    crossing[:, :, 1] = 1.0 / (h * w)  # spread over the whole image
    assert unmix_loss([crossing], (h, w), [[1], [5]], ["left", "right"]).item() > 0.0
    # a coarser layer (2x2 grid of a 4x4 latent) is matched to its own grid
    assert unmix_loss([torch.zeros(2, 4, tokens)], (h, w), [[1], [5]], ["left", "right"]).item() == 0.0


def test_cut_mix_unmix_training(engine: GenerateEngine, train_job: TrainJob, photos: dict[str, Path]) -> None:
    _, _, pipe = engine.pipeline(None)
    processors = {k: type(v) for k, v in pipe.unet.attn_processors.items()}
    params = TrainParams.model_validate(base(
        token="sks dog", steps=6, cutmix_probability=1.0,
        second_subject={"images": ["cat0"], "instance_prompt": "a photo of zwx cat", "token": "zwx cat"}))
    result = train_job.run(params, photos)
    assert result.metadata["loss"]["unmix_mean"] > 0  # random attention crosses halves: the loss sees it
    assert {k: type(v) for k, v in pipe.unet.attn_processors.items()} == processors  # restored
    assert not any("get_attention_scores" in m.__dict__ for m in pipe.unet.modules())
    positions = token_positions(pipe.tokenizer, "a photo of zwx cat on the left and sks dog on the right", "sks dog")
    assert positions and positions[0] > 1


def test_prior_preservation_trains_on_class_images(train_job: TrainJob, photos: dict[str, Path]) -> None:
    from adapter_worker.progress import StepMonitor

    def train(class_prompt: str, weight: float, seen: list[tuple[int, int]] | None = None) -> str:
        monitor = StepMonitor(on_progress=lambda p: seen.append((p.step, p.total)) if seen is not None else None)
        params = TrainParams.model_validate(base(steps=3, prior_preservation=True, class_prompt=class_prompt,
                                                 num_class_images=2, prior_loss_weight=weight))
        return hashlib.sha256(train_job.run(params, photos, monitor).files[0].data).hexdigest()

    seen: list[tuple[int, int]] = []
    dog = train("a photo of a dog", 1.0, seen)
    # 2 class images x 2 sampling steps first, then the 3 training steps: one bar of 7.
    assert seen == [(s, 7) for s in range(1, 8)]
    # The class images (made from the class prompt) reach the adapter...
    assert train("a photo of a cat", 1.0) != dog
    # ...only through the prior loss term: weighted 0, their content no longer matters, and the
    # term's weight changes the result.
    dog_unweighted = train("a photo of a dog", 0.0)
    assert dog_unweighted == train("a photo of a cat", 0.0)
    assert dog_unweighted != dog


@pytest.mark.parametrize(("overrides", "message"), [
    ({"images": []}, "at least 1 item"),
    ({"images": [f"dog{i % 3}" for i in range(21)]}, "at most 20 items"),
    ({"instance_prompt": "   "}, "instance_prompt is empty"),
    ({"prior_preservation": True}, "needs a non-empty class_prompt"),
    ({"second_subject": {"images": ["cat0"], "instance_prompt": "a photo of zwx cat", "token": "zwx cat"}},
     "need `token`"),
    ({"resolution": 68}, "multiple of 8"),
])
def test_bad_params(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        TrainParams.model_validate(base(**overrides))


@pytest.mark.parametrize(("images", "message"), [
    (["dog0", "not_image"], "images\\[1\\]: notes.png is not a readable image"),
    (["small"], "images\\[0\\]: image is 48x48, smaller than the training resolution 64x64"),
    (["missing"], "does not provide"),
])
def test_bad_photos(train_job: TrainJob, photos: dict[str, Path], images: list[str], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        train_job.run(TrainParams.model_validate(base(images=images)), photos)


def test_cancel_mid_training_restores_the_model(engine: GenerateEngine, train_job: TrainJob,
                                                photos: dict[str, Path]) -> None:
    from adapter_worker.errors import JobCancelled
    from adapter_worker.progress import Progress, StepMonitor

    before = _weights(engine)
    _, _, pipe = engine.pipeline(None)
    flags = [p.requires_grad for p in pipe.unet.parameters()]
    monitor = StepMonitor()

    def cancel_at_2(p: Progress) -> None:
        if p.step == 2:
            monitor.cancel()

    monitor.on_progress = cancel_at_2
    for method in ("svdiff", "lora"):
        with pytest.raises(JobCancelled):
            train_job.run(TrainParams.model_validate(base(method=method, steps=20)), photos, monitor)
        monitor._cancel.clear()
        _, _, pipe = engine.pipeline(None)
        assert not any("forward" in m.__dict__ for m in pipe.unet.modules())  # plain forwards back
        assert not getattr(pipe.unet, "peft_config", None)
        assert [p.requires_grad for p in pipe.unet.parameters()] == flags  # flags as they were
        after = _weights(engine)
        assert all(torch.equal(before[n], after[n]) for n in before)
