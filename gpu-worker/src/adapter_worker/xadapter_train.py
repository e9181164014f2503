"""The `train_xadapter` job: train X-Adapter mapping layers for a pair of bases (operators).

Per the paper (Ran et al., arXiv 2312.02238, §3.2): both bases frozen, only the mapping layers
learn (AdamW, lr 1e-5 by default). Each step takes one (caption, picture) pair; the same caption
goes to both text encoders, the picture to both VAEs (SD 1.5 at `sd15_resolution`, default half of
`resolution`), and both latents are noised at the same timestep t ~ U{0..T-1} with their own noise:

    z¹⁵_t = √ᾱ_t·z¹⁵ + √(1-ᾱ_t)·ε¹⁵,   zˣˡ_t = √ᾱ_t·zˣˡ + √(1-ᾱ_t)·εˣˡ
    F = SD15_decoder(z¹⁵_t, t, c¹⁵)                                     (no gradient)
    L = ‖ εˣˡ − SDXL(zˣˡ_t, t, cˣˡ; decoder blocks += mapping(F)) ‖²   (v-target for v-prediction)

The file saved is the mapping's state dict in the released key layout (xadapter.py), `.safetensors`
with metadata {format: "x-adapter", sd15_base, sdxl_base}. Without `images`, each caption's picture
is the SD 1.5 base's own sample for it (20 steps, CFG 7.5), so captions alone make a dataset.

CLI: python -m adapter_worker.xadapter_train --models models.json --caption "a cat" [--image a.png]
     [--steps 1000] [--lr 1e-5] --out x-adapter.safetensors
"""

from __future__ import annotations

import argparse
import hashlib
import random
import secrets
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
import torch.nn.functional as F
from PIL import Image
from safetensors.torch import save_file

from .errors import InvalidInput, ModelInvalid, OutOfMemory
from .params import TrainXAdapterParams
from .progress import StepMonitor
from .results import SAFETENSORS_TYPE, FileOutput, JobResult
from .training import LossLog, square_image, to_pixels
from .xadapter import XAdapterMapping, plan_levels, unet_channels
from .xadapter_pipeline import xadapter_hooks

if TYPE_CHECKING:
    from .generate import GenerateEngine

XADAPTER_FORMAT = "x-adapter"
SELF_SAMPLE_STEPS = 20


@dataclass
class _Pair:
    z15: tuple[torch.Tensor, torch.Tensor]  # SD 1.5 latent distribution (mean, std), scaled
    zxl: tuple[torch.Tensor, torch.Tensor]
    c15: torch.Tensor  # SD 1.5 text embedding
    cxl: torch.Tensor  # SDXL text embedding (both encoders)
    added: dict[str, torch.Tensor]  # SDXL pooled embedding + size micro-conditioning


@contextmanager
def _frozen(modules: list[Any]) -> Iterator[None]:
    flags = [(p, p.requires_grad) for m in modules if m is not None for p in m.parameters()]
    try:
        for p, _ in flags:
            p.requires_grad_(False)
        yield
    finally:
        for p, flag in flags:
            p.requires_grad_(flag)


@torch.no_grad()
def _latent_dist(vae: Any, image: Image.Image) -> tuple[torch.Tensor, torch.Tensor]:
    dist = vae.encode(to_pixels(image, vae.device, vae.dtype)).latent_dist
    scale = float(vae.config.scaling_factor)
    return dist.mean.float() * scale, dist.std.float() * scale


def default_pairing(engine: GenerateEngine) -> tuple[str | None, str | None]:
    """(sd15 base, sdxl base) of the registry's first X-Adapter entry ('default' first)."""
    entries = engine.registry.config.x_adapters
    if not entries:
        return None, None
    entry = entries.get("default") or next(iter(entries.values()))
    return entry.sd15_base, entry.sdxl_base


class TrainXAdapterJob:
    def __init__(self, engine: GenerateEngine) -> None:
        self.engine = engine

    def run(self, params: TrainXAdapterParams, inputs: Mapping[str, Path], monitor: StepMonitor | None = None
            ) -> JobResult:
        monitor = monitor or StepMonitor()
        eng = self.engine
        missing = sorted(params.input_names() - set(inputs))
        if missing:
            raise InvalidInput(f"the job refers to inputs it does not provide: {missing}")
        t_start = time.perf_counter()
        seed = params.seed if params.seed is not None else secrets.randbelow(2**63)
        res = params.resolution
        res15 = params.sd15_resolution or max(8, round(res / 2 / 8) * 8)
        pictures = [square_image(inputs[n], f"images[{i}]", res) for i, n in enumerate(params.images)]
        d15, dxl = default_pairing(eng)
        sd15_name, fam15, sd15 = eng.pipeline(params.sd15_base_model or d15)
        sdxl_name, famxl, xl = eng.pipeline(params.base_model or dxl)
        if fam15 != "sd15":
            raise InvalidInput(f"sd15_base_model {sd15_name!r} is a {fam15} model, not sd15")
        if famxl != "sdxl":
            raise InvalidInput(f"base_model {sdxl_name!r} is a {famxl} model, not sdxl")
        levels = plan_levels(unet_channels(sd15.unet), unet_channels(xl.unet))
        for name, size, unet in ((sd15_name, res15, sd15.unet), (sdxl_name, res, xl.unet)):
            if size % (8 * 2 ** (len(unet.config.block_out_channels) - 1)):
                raise InvalidInput(f"resolution {size} does not divide into {name}'s downsampling")
        total = params.steps + (0 if pictures else len(params.captions) * SELF_SAMPLE_STEPS)

        with eng.cache.job_scope(), ExitStack() as stack:
            for pipe in (sd15, xl):
                eng._reset(pipe)
            done = 0
            if not pictures:
                for i, caption in enumerate(params.captions):
                    gen = torch.Generator(device="cpu").manual_seed((seed + i) % 2**63)

                    def tick(_p: Any, step: int, _t: Any, kw: dict[str, Any], base: int = done) -> dict[str, Any]:
                        monitor.advance(base + step + 1, total)
                        return kw

                    with torch.inference_mode():
                        out = sd15(prompt=caption, num_inference_steps=SELF_SAMPLE_STEPS, guidance_scale=7.5,
                                   width=res, height=res, generator=gen, output_type="pil",
                                   callback_on_step_end=tick)  # pyright: ignore[reportArgumentType]
                    pictures.append(out.images[0])  # type: ignore[union-attr]
                    done += SELF_SAMPLE_STEPS
            caps = params.captions
            pairs = [self._pair(sd15, xl, caps[i % len(caps)], pictures[i % len(pictures)], res, res15)
                     for i in range(max(len(caps), len(pictures)))]
            prepared = time.perf_counter()

            stack.enter_context(_frozen([sd15.unet, sd15.vae, sd15.text_encoder, xl.unet, xl.vae,
                                         xl.text_encoder, getattr(xl, "text_encoder_2", None)]))
            torch.manual_seed(seed)
            mapping = XAdapterMapping(levels).to(eng.spec.device, torch.float32)
            # the bases run in the engine's dtype; the mapping learns in fp32 (its output is cast)
            log = self._train(sd15, xl, mapping, pairs, params, seed, monitor, done, total)
            trained = time.perf_counter()
            state = {k: v.detach().to("cpu", torch.float32).contiguous() for k, v in mapping.state_dict().items()}
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / "x-adapter.safetensors"
                save_file(state, str(path), metadata={"format": XADAPTER_FORMAT, "sd15_base": sd15_name,
                                                      "sdxl_base": sdxl_name})
                data = path.read_bytes()
        finished = time.perf_counter()
        return JobResult([FileOutput(data, SAFETENSORS_TYPE)], {
            "seed": seed,
            "adapter": {"kind": "x_adapter", "format": XADAPTER_FORMAT, "sd15_base": sd15_name,
                        "base_model": sdxl_name, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest(),
                        "parameters": sum(v.numel() for v in state.values()), "tensors": len(state),
                        "levels": [f"sd15.up.{lv.source}->sdxl.{lv.target}" for lv in levels]},
            "settings": {**params.model_dump(mode="json"), "sd15_resolution": res15},
            "loss": {**log.summary(), "final": round(log.losses[-1], 6)},
            "device": str(eng.spec.device), "dtype": str(eng.spec.dtype).removeprefix("torch."),
            "timings": {"prepare_s": round(prepared - t_start, 4), "train_s": round(trained - prepared, 4),
                        "total_s": round(finished - t_start, 4)},
        })

    def _pair(self, sd15: Any, xl: Any, caption: str, picture: Image.Image, res: int, res15: int) -> _Pair:
        dev = self.engine.spec.device
        with torch.no_grad():
            small = picture.resize((res15, res15), Image.Resampling.BICUBIC)
            tok = sd15.tokenizer
            ids = tok([caption], padding="max_length", max_length=tok.model_max_length, truncation=True,
                      return_tensors="pt").input_ids.to(dev)
            c15 = sd15.text_encoder(ids)[0]
            pe, _, pooled, _ = xl.encode_prompt(prompt=caption, device=dev, num_images_per_prompt=1,
                                                do_classifier_free_guidance=False)
            proj = int(pooled.shape[-1]) if xl.text_encoder_2 is None else xl.text_encoder_2.config.projection_dim
            time_ids = xl._get_add_time_ids((res, res), (0, 0), (res, res), dtype=pe.dtype,
                                            text_encoder_projection_dim=proj).to(dev)
            return _Pair(_latent_dist(sd15.vae, small), _latent_dist(xl.vae, picture), c15, pe,
                         {"text_embeds": pooled, "time_ids": time_ids})

    def _train(self, sd15: Any, xl: Any, mapping: XAdapterMapping, pairs: list[_Pair],
               params: TrainXAdapterParams, seed: int, monitor: StepMonitor, done: int, total: int) -> LossLog:
        sched = xl.scheduler
        abar = sched.alphas_cumprod.to(self.engine.spec.device, torch.float32)
        n_train = int(sched.config.num_train_timesteps)
        v_pred = sched.config.prediction_type == "v_prediction"
        opt = torch.optim.AdamW(mapping.parameters(), lr=params.lr)
        gen = torch.Generator(device="cpu").manual_seed(seed)
        rng = random.Random(seed)  # noqa: S311 - sampling, not secrets
        log = LossLog()
        dtype = self.engine.spec.dtype
        mapping.train()
        with xadapter_hooks(sd15.unet, xl.unet, _Cast(mapping, dtype), 1.0):
            for step in range(params.steps):
                pair = rng.choice(pairs)
                t = int(torch.randint(0, n_train, (1,), generator=gen))
                a = abar[t]

                def noised(dist: tuple[torch.Tensor, torch.Tensor], a: torch.Tensor = a
                           ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
                    mean, std = dist
                    z = mean + std * torch.randn(mean.shape, generator=gen).to(mean.device)
                    eps = torch.randn(mean.shape, generator=gen).to(mean.device)
                    return z, eps, a.sqrt() * z + (1 - a).sqrt() * eps

                _, _, x15 = noised(pair.z15)
                zxl, epsxl, xxl = noised(pair.zxl)
                tt = torch.tensor([t], device=x15.device)
                with torch.no_grad():
                    sd15.unet(x15.to(dtype), tt, encoder_hidden_states=pair.c15, return_dict=False)
                pred = xl.unet(xxl.to(dtype), tt, encoder_hidden_states=pair.cxl, added_cond_kwargs=pair.added,
                               return_dict=False)[0].float()
                target = a.sqrt() * epsxl - (1 - a).sqrt() * zxl if v_pred else epsxl
                loss = F.mse_loss(pred, target)
                if not torch.isfinite(loss):
                    raise ModelInvalid(f"X-Adapter training diverged at step {step + 1} (loss {loss.item()})")
                opt.zero_grad(set_to_none=True)
                try:
                    loss.backward()
                except torch.OutOfMemoryError as err:
                    raise OutOfMemory(f"out of device memory training X-Adapter: {err}") from err
                opt.step()
                log.losses.append(float(loss.detach()))
                monitor.advance(done + step + 1, total)
        mapping.eval()
        return log


class _Cast(XAdapterMapping):
    """The fp32 mapping seen from bases in another dtype: inputs up, outputs back down."""

    def __init__(self, inner: XAdapterMapping, dtype: torch.dtype) -> None:
        torch.nn.Module.__init__(self)
        self.inner, self.levels, self.dtype_out = inner, inner.levels, dtype

    def level_forward(self, i: int, feature: torch.Tensor, size: tuple[int, int] | None = None) -> torch.Tensor:
        return self.inner.level_forward(i, feature.float(), size).to(self.dtype_out)


def main(argv: list[str] | None = None) -> int:
    from .__main__ import quiet_libraries
    from .device import select_device
    from .generate import GenerateEngine
    from .registry import ModelRegistry

    parser = argparse.ArgumentParser(prog="adapter_worker.xadapter_train", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", type=Path, required=True, help="model registry (models.json / .toml)")
    parser.add_argument("--sd15-base", default=None)
    parser.add_argument("--sdxl-base", default=None)
    parser.add_argument("--caption", action="append", required=True, help="repeat for several")
    parser.add_argument("--image", action="append", default=[], help="paired with --caption in order")
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--lr", type=float, default=1e-5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--resolution", type=int, default=1024)
    parser.add_argument("--sd15-resolution", type=int, default=None)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    quiet_libraries()
    images = {f"image{i}": Path(p) for i, p in enumerate(args.image)}
    params = TrainXAdapterParams.model_validate({
        "sd15_base_model": args.sd15_base, "base_model": args.sdxl_base, "captions": args.caption,
        "images": list(images), "steps": args.steps, "lr": args.lr, "seed": args.seed,
        "resolution": args.resolution, "sd15_resolution": args.sd15_resolution})
    engine = GenerateEngine(ModelRegistry.load(args.models), select_device())

    def show(p: Any) -> None:
        if p.step % 50 == 0 or p.step == p.total:
            print(f"step {p.step}/{p.total}", flush=True)

    result = TrainXAdapterJob(engine).run(params, images, StepMonitor(show))
    args.out.write_bytes(result.files[0].data)
    print(f"wrote {args.out} ({result.metadata['adapter']['bytes']} bytes); loss {result.metadata['loss']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
