"""The `train` job: a personal adapter from 1–20 photos (SVDiff spectral shifts or a peft LoRA),
with optional class prior preservation and Cut-Mix-Unmix for a second subject.

Runs on the generate engine's cached pipeline (no second copy of the model): base weights are
frozen for the job, the trainable parameters are attached, and everything is removed when the job
ends, however it ends — the next generate job sees the untouched model.

Outputs, in slot order: slot 0 the adapter `.safetensors`, then `num_samples` sample images.
"""

from __future__ import annotations

import hashlib
import random
import secrets
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import torch
from diffusers import StableDiffusionPipeline
from diffusers.utils import convert_state_dict_to_diffusers
from peft import LoraConfig
from peft.utils import get_peft_model_state_dict
from PIL import Image
from safetensors.torch import save_file

from .cut_mix import capture_cross_attention, random_collage, token_positions
from .errors import InvalidInput, OutOfMemory
from .generate import GenerateEngine
from .params import TrainParams
from .progress import StepMonitor
from .results import SAFETENSORS_TYPE, FileOutput, JobResult
from .schedulers import make_scheduler
from .spectral_shift import SpectralShifts, save_shifts
from .training import Example, embed_prompts, encode_image, frozen, square_image, train_loop

LORA_TARGETS = ["to_k", "to_q", "to_v", "to_out.0"]
LORA_FORMAT = "adapter-studio/lora"
_ADAPTER = "adapter_studio_train"


@contextmanager
def lora_training(pipe: StableDiffusionPipeline, rank: int) -> Iterator[list[torch.nn.Parameter]]:
    """A fresh peft LoRA (A gaussian, B zero: the model is unchanged at step 0) on the UNet's
    attention projections, its parameters in fp32 for the optimiser; deleted afterwards."""
    pipe.unet.add_adapter(LoraConfig(r=rank, lora_alpha=rank, init_lora_weights="gaussian",
                                     target_modules=LORA_TARGETS), adapter_name=_ADAPTER)
    try:
        params = [p for n, p in pipe.unet.named_parameters() if "lora_" in n and _ADAPTER in n]
        for p in params:
            p.data = p.data.float()
            p.requires_grad_(True)
        yield params
    finally:
        pipe.unet.delete_adapters(_ADAPTER)


def lora_file_state(pipe: StableDiffusionPipeline) -> dict[str, torch.Tensor]:
    """The trained LoRA in the diffusers layout (`unet.….lora.down.weight`), as generate loads it."""
    peft_sd = get_peft_model_state_dict(pipe.unet, adapter_name=_ADAPTER)
    return {f"unet.{k}": v.detach().float().cpu().contiguous()
            for k, v in convert_state_dict_to_diffusers(peft_sd).items()}


def sample_images(pipe: StableDiffusionPipeline, prompt: str, n: int, seed: int, steps: int, size: int,
                  guidance: float, progress: Callable[[int], None]) -> list[Image.Image]:
    """`n` images (seed + i) with DDIM; `progress(k)` after every denoising step."""
    images: list[Image.Image] = []
    old = pipe.scheduler
    pipe.scheduler = make_scheduler("ddim", old.config)
    try:
        for i in range(n):
            def callback(_p: Any, step: int, _t: Any, kw: dict[str, Any], i: int = i) -> dict[str, Any]:
                progress(i * steps + step + 1)
                return kw

            with torch.inference_mode():
                out = pipe(prompt=prompt, num_inference_steps=steps, guidance_scale=guidance, width=size,
                           height=size, generator=torch.Generator("cpu").manual_seed((seed + i) % 2**63),
                           callback_on_step_end=callback)  # pyright: ignore[reportArgumentType]
            images.append(out.images[0])  # type: ignore[union-attr]
    finally:
        pipe.scheduler = old
    return images


class TrainJob:
    def __init__(self, engine: GenerateEngine, svd_cache_dir: Path | None = None) -> None:
        self.engine = engine
        self.bases = engine.spectral_bases(svd_cache_dir)

    def run(self, params: TrainParams, inputs: Mapping[str, Path], monitor: StepMonitor | None = None
            ) -> JobResult:
        monitor = monitor or StepMonitor()
        missing = sorted(params.input_names() - set(inputs))
        if missing:
            raise InvalidInput(f"the job refers to inputs it does not provide: {missing}")
        t0 = time.perf_counter()
        seed = params.seed if params.seed is not None else secrets.randbelow(2**63)
        size = params.resolution
        # Bad photos fail before any model work.
        subject_images = [[square_image(inputs[n], f"images[{i}]", size) for i, n in enumerate(params.images)]]
        if params.second_subject is not None:
            subject_images.append([square_image(inputs[n], f"second_subject.images[{i}]", size)
                                   for i, n in enumerate(params.second_subject.images)])
        sample_prompt = params.sample_prompt or params.instance_prompt
        n_prior = params.num_class_images if params.prior_preservation else 0
        total = n_prior * params.sample_steps + params.steps + params.num_samples * params.sample_steps

        with self.engine.cache.job_scope(), ExitStack() as stack:
            base_name, _, pipe = self.engine.pipeline(params.base_model, require="sd15")
            GenerateEngine._reset(pipe)
            if size % (8 * 2 ** (len(pipe.unet.config["block_out_channels"]) - 1)):
                raise InvalidInput(f"resolution {size} does not divide into this UNet's downsampling")
            done = 0

            def advance(k: int) -> None:
                monitor.advance(done + k, total)

            # class images first, from the untouched base model
            class_images: list[Image.Image] = []
            if n_prior:
                class_images = sample_images(pipe, params.class_prompt or "", n_prior, seed + 10_000,
                                             params.sample_steps, size, params.guidance_scale, advance)
                done += n_prior * params.sample_steps
            prepared = time.perf_counter()

            te = params.train_text_encoder

            def example(image: Image.Image, prompt: str, unmix: Any = None) -> Example:
                mean, std = encode_image(pipe, image)
                return Example(mean, std, None if te else embed_prompts(pipe, [prompt]), prompt, unmix)

            names = [params.token or "", params.second_subject.token if params.second_subject else ""]
            prompts = [params.instance_prompt, params.second_subject.instance_prompt if params.second_subject else ""]
            singles = [[example(img, prompts[s]) for img in imgs] for s, imgs in enumerate(subject_images)]
            priors = [example(img, params.class_prompt or "") for img in class_images]
            collages: dict[tuple[int, int, int], Example] = {}

            def next_batch(rng: random.Random) -> list[tuple[Example, float]]:
                two = len(singles) == 2
                if two and rng.random() < params.cutmix_probability:
                    c = random_collage(rng, subject_images, names)
                    key = (*c.picks, c.left)
                    if key not in collages:
                        sides = ["left", "right"] if c.left == 0 else ["right", "left"]
                        toks = [token_positions(pipe.tokenizer, c.prompt, names[s]) for s in range(2)]
                        collages[key] = example(c.image, c.prompt, (toks, sides))
                    ex = collages[key]
                else:
                    s = rng.randrange(len(singles)) if two else 0
                    ex = rng.choice(singles[s])
                batch = [(ex, 1.0)]
                if priors:
                    batch.append((rng.choice(priors), params.prior_loss_weight))
                return batch

            stack.enter_context(frozen(pipe))
            shifts: SpectralShifts | None = None
            if params.method == "svdiff":
                base_hash, svd = self.bases.get(base_name, pipe, te)
                models: dict[str, torch.nn.Module] = {"unet": pipe.unet}
                if te:
                    models["text_encoder"] = pipe.text_encoder
                shifts = SpectralShifts(models, svd, base_hash)
                groups = shifts.param_groups(params.learning_rate, params.lr_norm)
                training = stack.enter_context(ExitStack())
                training.enter_context(shifts.attached())
            else:
                base_hash = ""
                training = stack.enter_context(ExitStack())
                lora_params = stack.enter_context(lora_training(pipe, params.rank))
                groups = [{"params": lora_params, "lr": params.learning_rate}]
            capture = training.enter_context(capture_cross_attention(pipe.unet)) if len(singles) == 2 else None
            try:
                log = train_loop(pipe, groups, params.steps, next_batch, seed, Offset(monitor, done, total),
                                 unmix_weight=params.unmix_weight, capture=capture, text_grad=te)
            except torch.OutOfMemoryError as err:
                raise OutOfMemory(f"out of device memory training at {size}x{size}: {err}") from err
            training.close()  # plain forwards back (spectral) / attention processors back
            done += params.steps
            trained = time.perf_counter()

            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / "adapter.safetensors"
                if shifts is not None:
                    state = shifts.state()
                    save_shifts(path, state, base_name, base_hash)
                    fmt = "adapter-studio/svdiff"
                else:
                    state = lora_file_state(pipe)
                    save_file(state, str(path), metadata={"format": LORA_FORMAT, "base_model": base_name,
                                                          "rank": str(params.rank)})
                    fmt = LORA_FORMAT
                data = path.read_bytes()
            samples: list[Image.Image] = []
            if params.num_samples:
                with ExitStack() as use:
                    if shifts is not None:
                        use.enter_context(shifts.merged())
                    samples = sample_images(pipe, sample_prompt, params.num_samples, seed, params.sample_steps,
                                            size, params.guidance_scale, advance)
            finished = time.perf_counter()

        settings = params.model_dump(mode="json")
        settings["lr"] = params.learning_rate
        files = [FileOutput(data, SAFETENSORS_TYPE)]
        files += [FileOutput.image(img, (seed + i) % 2**63) for i, img in enumerate(samples)]
        return JobResult(files, {
            "seed": seed, "seeds": [(seed + i) % 2**63 for i in range(len(samples))],
            "adapter": {"kind": params.method, "format": fmt, "base_model": base_name, "base_hash": base_hash,
                        "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest(),
                        "parameters": sum(v.numel() for v in state.values()), "tensors": len(state)},
            "settings": settings, "loss": {**log.summary(), "final": round(log.losses[-1], 6),
                     **({"unmix_mean": round(sum(log.unmix) / len(log.unmix), 8)} if log.unmix else {})},
            "device": str(self.engine.spec.device), "dtype": str(self.engine.spec.dtype).removeprefix("torch."),
            "timings": {"prepare_s": round(prepared - t0, 4), "train_s": round(trained - prepared, 4),
                        "sample_s": round(finished - trained, 4), "total_s": round(finished - t0, 4)},
        })


class Offset(StepMonitor):
    """Reports a sub-loop's steps as part of the whole job's progress bar."""

    def __init__(self, inner: StepMonitor, offset: int, total: int) -> None:
        super().__init__()
        self.inner, self.offset, self.grand_total = inner, offset, total

    def advance(self, step: int, total: int) -> None:
        self.inner.advance(self.offset + step, self.grand_total)

    def check(self) -> None:
        self.inner.check()
