"""Generate through X-Adapter: SD 1.5 plugins (ControlNet, T2I-Adapter, LoRA, SVDiff, IP-Adapter)
steering an SDXL base, with the two-stage inference of the paper (Ran et al., arXiv 2312.02238, §3).

Routing (generate.py, `_route_cross_family`): a job goes through here when its base model is
`sdxl`, any plugin is `sd15` (controls[i].family, ip_adapter_family: as asked, default the base's;
a LoRA: from its file) and the registry has an X-Adapter. SDXL-family plugins are refused in such
a job (the SD 1.5 branch carries every plugin).

The two stages, N = `steps`, k = stage-one steps:

    k = N - min(N, floor(N·(1 - t0)))   (the authors' `get_timesteps` with strength 1 - t0), and
    k ≤ N - 1 so SDXL always runs at least one step.

1. Stage one (steps 0..k-1): SD 1.5 alone with its plugins, at `sd15_width`x`sd15_height`,
   through the worker's own SD 1.5 pipeline (the same attach code as a plain SD 1.5 job).
2. Hand-over (after step k-1; skipped when k = 0): SD 1.5's estimate of the clean latent at its
   last step, x̂0 = (x_t - √(1-ᾱ_t)·ε̂)/√ᾱ_t (ε̂ the guided prediction; v-prediction likewise),
   is decoded by SD 1.5's VAE, resized to SDXL's size, encoded by SDXL's VAE (a sample of the
   latent distribution with the image's generator) and noised to SDXL's timestep k, as the
   authors' `prepare_xl_latents_from_sd_1_5` + `scheduler.add_noise` do (SDEdit). With k = 0
   SDXL starts from its own noise, drawn exactly as a plain SDXL job with the same seed draws it.
3. Stage two (steps k..N-1): every step runs SD 1.5 (with its plugins) then SDXL at the same step
   index (both schedulers share the training schedule, so the timesteps match); forward hooks on
   SD 1.5's decoder keep the mapping's inputs and forward hooks on SDXL's mid/up blocks add
   `fusion`·mapping(feature) to those blocks' outputs (xadapter.py names the levels). The SD 1.5
   branch keeps its own trajectory (its latent is already at step k's noise level).

Defaults, from the authors' code (showlab/X-Adapter): t0 = 0.2 (`adapter_guidance_start` 0.8 in
bash_scripts/canny_controlnet_inference.sh; the LoRA script uses 0.7, i.e. t0 = 0.3), fusion = 1.0
(`adapter_condition_scale`), SD 1.5 at half SDXL's size (512 for 1024 in scripts/*.py), the same
CFG scale on both branches (`guidance_scale`, 7.5 in inference.py). The SD 1.5 branch draws its
noise from its own generators (seed + i, salted), so SDXL's random stream is the plain job's.

All hooks, LoRAs, IP-Adapter processors and merged spectral shifts are removed when the job ends,
however it ends: both bases' weights are bit-for-bit what they were.
"""

from __future__ import annotations

import math
import secrets
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
import torch.nn.functional as F
from diffusers import StableDiffusionControlNetPipeline
from diffusers.utils.torch_utils import randn_tensor
from PIL import Image

from .errors import InvalidInput, ModelInvalid, OutOfMemory
from .images import control_map
from .ip_adapter import ip_adapter_attached, reference_embeds
from .lora import LoadedLora, check_lora, loras_attached
from .params import GenerateParams, XAdapterParams
from .progress import StepMonitor
from .schedulers import make_scheduler
from .spectral_shift import SpectralShifts, combine, is_spectral_state
from .t2i import AdapterFeatures, adapter_features, adapter_residuals
from .xadapter import XAdapterMapping, load_mapping

if TYPE_CHECKING:
    from .generate import GenerateEngine, GenerateResult

SD15_SEED_SALT = 0x5D15_0000  # the SD 1.5 branch's generators: (seed + i) ^ salt


# -- routing ----------------------------------------------------------------------------------
def branches_of(families: Sequence[tuple[str, str]]) -> dict[str, list[str]]:
    """The job's plugins by family, as GenerateEngine.plugin_families names them."""
    out: dict[str, list[str]] = {"sd15": [], "sdxl": []}
    for what, fam in families:
        out[fam].append(what)
    return out


def stage_split(steps: int, t0: float) -> tuple[int, int]:
    """(stage-one steps, stage-two steps) for N steps: strength s = 1 - t0, stage two = ⌊N·s⌋
    (at least 1), as the authors' get_timesteps; rounding guards 1 - 0.9 = 0.0999…"""
    stage2 = min(steps, math.floor(round(steps * (1.0 - t0), 9)))
    stage2 = max(stage2, 1)
    return steps - stage2, stage2


def sd15_size(params: GenerateParams, knobs: XAdapterParams) -> tuple[int, int]:
    """The SD 1.5 branch's (width, height): given, else half SDXL's, rounded to a multiple of 8."""
    def half(v: int) -> int:
        return max(8, round(v / 2 / 8) * 8)
    return knobs.sd15_width or half(params.width), knobs.sd15_height or half(params.height)


# -- hooks ------------------------------------------------------------------------------------
@dataclass
class FeatureTap:
    """The latest outputs of SD 1.5's source up blocks (one per mapping level)."""

    features: list[torch.Tensor | None] = field(default_factory=list)
    calls: int = 0


def _site(unet: Any, target: str) -> torch.nn.Module:
    return unet.mid_block if target == "mid" else unet.up_blocks[int(target.split(".")[1])]


def _match_batch(feature: torch.Tensor, batch: int) -> torch.Tensor:
    """SD 1.5's batch to SDXL's: equal; SD 1.5 with CFG and SDXL without (keep the conditional
    half); SDXL with CFG and SD 1.5 without (the same features for both halves)."""
    b = feature.shape[0]
    if b == batch:
        return feature
    if b == 2 * batch:
        return feature[batch:]
    if 2 * b == batch:
        return torch.cat([feature, feature])
    raise InvalidInput(f"X-Adapter: SD 1.5 batch {b} does not pair with SDXL batch {batch}")


@contextmanager
def xadapter_hooks(sd15_unet: Any, sdxl_unet: Any, mapping: XAdapterMapping, fusion: float
                   ) -> Iterator[FeatureTap]:
    """Tap SD 1.5's decoder and add fusion·mapping(features) to SDXL's decoder sites, for as long as
    the context lasts; the hooks are removed however it ends."""
    tap = FeatureTap([None] * len(mapping.levels))
    handles = []

    def tap_hook(i: int) -> Any:
        def hook(_m: torch.nn.Module, _args: Any, output: torch.Tensor) -> None:
            tap.features[i] = output
            tap.calls += 1
        return hook

    def add_hook(i: int) -> Any:
        def hook(_m: torch.nn.Module, _args: Any, output: torch.Tensor) -> torch.Tensor | None:
            feature = tap.features[i]
            if feature is None or fusion == 0.0:
                return None
            x = _match_batch(feature, output.shape[0]).to(output.dtype)
            return output + fusion * mapping.level_forward(i, x, tuple(output.shape[-2:]))  # type: ignore[arg-type]
        return hook

    try:
        for i, lv in enumerate(mapping.levels):
            handles.append(sd15_unet.up_blocks[lv.source].register_forward_hook(tap_hook(i)))
            handles.append(_site(sdxl_unet, lv.target).register_forward_hook(add_hook(i)))
        yield tap
    finally:
        for h in handles:
            h.remove()


@dataclass
class _LastCall:
    """SD 1.5 UNet's last input sample, timestep and output (for the hand-over's x̂0)."""

    sample: torch.Tensor | None = None
    timestep: Any = None
    output: torch.Tensor | None = None


@contextmanager
def _last_call(unet: Any) -> Iterator[_LastCall]:
    last = _LastCall()

    def hook(_m: torch.nn.Module, args: tuple[Any, ...], kwargs: dict[str, Any], output: Any) -> None:
        last.sample = args[0] if args else kwargs["sample"]
        last.timestep = args[1] if len(args) > 1 else kwargs["timestep"]
        last.output = output[0] if isinstance(output, tuple) else output.sample

    handle = unet.register_forward_hook(hook, with_kwargs=True)
    try:
        yield last
    finally:
        handle.remove()


# -- the job ----------------------------------------------------------------------------------
class XAdapterRun:
    """One X-Adapter generate job on a GenerateEngine (its caches hold both bases and plugins)."""

    def __init__(self, engine: GenerateEngine) -> None:
        self.engine = engine

    def mapping(self, name: str, sdxl_name: str) -> tuple[str, Any, XAdapterMapping]:
        """(sd15 base name, sd15 pipeline, mapping) of registry entry `name`, checked against both."""
        eng = self.engine
        entry = eng.registry.x_adapter(name)
        if entry.sdxl_base != sdxl_name:
            raise InvalidInput(f"X-Adapter {name!r} pairs {entry.sd15_base!r} with SDXL base {entry.sdxl_base!r}, "
                               f"not with {sdxl_name!r}")
        sd15_name, family, sd15 = eng.pipeline(entry.sd15_base)
        if family != "sd15":
            raise ModelInvalid(f"X-Adapter {name!r}: its sd15_base {sd15_name!r} is a {family} model")
        _, _, xl = eng.pipeline(sdxl_name)

        def load() -> XAdapterMapping:
            path = eng.registry.resolve(entry).path
            return load_mapping(path, sd15.unet, xl.unet, sd15_name, sdxl_name, eng.spec.device, eng.spec.dtype)

        mapping = eng.cache.get(f"xadapter:{name}", load,
                                lambda m: sum(p.numel() * p.element_size() for p in m.parameters()))
        return sd15_name, sd15, mapping

    def run(self, params: GenerateParams, inputs: Mapping[str, Path], monitor: StepMonitor | None = None,
            families: Sequence[tuple[str, str]] | None = None) -> GenerateResult:
        """`families`: (plugin, family) of every plugin, from GenerateEngine.plugin_families (a LoRA's
        family comes from its file); computed here when not given."""
        from .generate import GenerateResult

        eng = self.engine
        monitor = monitor or StepMonitor()
        knobs = params.x_adapter or XAdapterParams.model_validate({})
        missing = sorted(params.input_names() - set(inputs))
        if missing:
            raise InvalidInput(f"the job refers to inputs it does not provide: {missing}")
        monitor.check()
        t_start = time.perf_counter()
        seed = params.seed if params.seed is not None else secrets.randbelow(2**63)
        with eng.cache.job_scope(), ExitStack() as stack:
            sdxl_name, family, xl = eng.pipeline(params.base_model)
            branches = branches_of(families if families is not None
                                   else eng.plugin_families(params, family, inputs))
            if family != "sdxl":
                raise InvalidInput(f"X-Adapter runs on an SDXL base; {sdxl_name!r} is {family}")
            if branches["sdxl"]:
                raise InvalidInput("an X-Adapter job carries its plugins on the SD 1.5 branch only; SDXL-family "
                                   f"plugins in the same job: {branches['sdxl']}")
            sd15_name, sd15, mapping = self.mapping(knobs.name, sdxl_name)
            eng._reset(sd15)
            eng._reset(xl)
            w15, h15 = sd15_size(params, knobs)
            g15 = knobs.guidance_scale if knobs.guidance_scale is not None else params.guidance_scale
            cfg15 = g15 > 1.0
            models: dict[str, Any] = {"base_model": sdxl_name, "sd15_base_model": sd15_name}

            # SD 1.5 plugins, attached exactly as a plain SD 1.5 job attaches them
            cn_controls = [c for c in params.controls if c.adapter == "controlnet"]
            t2i_controls = [c for c in params.controls if c.adapter == "t2i_adapter"]
            nets = [eng._controlnet("sd15", c.type, sd15) for c in cn_controls]
            adapters = [eng._t2i("sd15", c.type, sd15) for c in t2i_controls]
            maps = {id(c): control_map(inputs[c.image], f"controls[{i}]", w15, h15, c.preprocess, c.canny_low,
                                       c.canny_high) for i, c in enumerate(params.controls)}
            loras, spectral = [], []
            for lo in params.loras:
                digest, state = eng.loras.get(inputs[lo.file])
                if is_spectral_state(state):
                    spectral.append(LoadedLora(lo.file, digest, state, lo.weight))
                    continue
                check_lora(sd15, lo.file, state)
                loras.append(LoadedLora(lo.file, digest, state, lo.weight))
            models["loras"] = [{"file": lo.name, "sha256": lo.digest, "weight": lo.weight, "kind": kind,
                                "family": "sd15"} for kind, group in (("lora", loras), ("svdiff", spectral))
                               for lo in group]
            if spectral:
                with_te = any(k.startswith("text_encoder.") for lo in spectral for k in lo.state)
                base_hash, svd = eng.spectral_bases().get(sd15_name, sd15, with_te)
                shift_models: dict[str, torch.nn.Module] = {"unet": sd15.unet}
                if with_te:
                    shift_models["text_encoder"] = sd15.text_encoder
                shifts = SpectralShifts(shift_models, svd, base_hash)
                for lo in spectral:
                    shifts.load_state(lo.state, lo.name)
                shifts.load_state(combine([lo.state for lo in spectral], [lo.weight for lo in spectral]))
                shifts.merge()
                stack.callback(shifts.unmerge)
            call: dict[str, Any] = {}
            if params.references:
                weights = eng._ip_weights("sd15", params.ip_adapter, sd15)
                call["ip_adapter_image_embeds"] = reference_embeds(
                    params.references, inputs, weights,
                    lambda: eng._encoder("sd15", params.ip_adapter), eng.spec, cfg15)
                stack.enter_context(ip_adapter_attached(sd15, weights, [r.weight for r in params.references]))
                models["ip_adapter"] = {"name": params.ip_adapter, "variant": weights.variant, "family": "sd15"}
            stack.enter_context(loras_attached(sd15, loras))
            features: list[AdapterFeatures] = [
                adapter_features(a, maps[id(c)], c.scale, c.start, c.end, eng.spec)
                for a, c in zip(adapters, t2i_controls, strict=True)]
            stack.enter_context(adapter_residuals(sd15.unet, features, monitor))
            models["controlnets"] = [f"sd15/{c.type}" for c in cn_controls]
            models["t2i_adapters"] = [f"sd15/{c.type}" for c in t2i_controls]
            models["x_adapter"] = knobs.name

            runner: Any = sd15
            if nets:
                runner = StableDiffusionControlNetPipeline(
                    **sd15.components, controlnet=nets if len(nets) > 1 else nets[0])  # type: ignore[arg-type]
                runner.set_progress_bar_config(disable=True)
                single = len(nets) == 1
                call["image"] = maps[id(cn_controls[0])] if single else [maps[id(c)] for c in cn_controls]
                call["controlnet_conditioning_scale"] = cn_controls[0].scale if single \
                    else [c.scale for c in cn_controls]
                call["control_guidance_start"] = [c.start for c in cn_controls]
                call["control_guidance_end"] = [c.end for c in cn_controls]
            runner.scheduler = make_scheduler(params.scheduler, sd15.scheduler.config)

            # SDXL side: prompts, micro-conditioning, schedule, its own noise (as a plain SDXL job)
            n = params.num_images
            device = eng.spec.device
            gens_xl = [torch.Generator(device="cpu").manual_seed((seed + i) % 2**63) for i in range(n)]
            gens_15 = [torch.Generator(device="cpu").manual_seed(((seed + i) % 2**63) ^ SD15_SEED_SALT)
                       for i in range(n)]
            xl_state = _SDXLBranch(xl, params, device, gens_xl)
            xl_state.scheduler = make_scheduler(params.scheduler, xl.scheduler.config)
            k, stage2 = stage_split(params.steps, knobs.t0)
            prepared = time.perf_counter()
            timings: dict[str, float] = {}

            tap = stack.enter_context(xadapter_hooks(sd15.unet, xl.unet, mapping, knobs.fusion))
            last = stack.enter_context(_last_call(sd15.unet))
            monitor.start(params.steps)
            with torch.inference_mode():
                xl_state.prepare(params.steps, k)
            mark = [time.perf_counter()]

            def on_step(pipe: Any, i: int, t: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
                preview = kwargs
                if i + 1 == k:  # hand-over: SD 1.5's x̂0 into SDXL's latent space at step k
                    x0 = _x0_estimate(pipe.scheduler, last, g15 if cfg15 else None)
                    xl_state.from_sd15(sd15, x0, k)
                    now = time.perf_counter()
                    timings["stage1_s"] = round(now - mark[0], 4)
                    mark[0] = now
                elif i >= k:
                    if tap.features[0] is None:
                        raise RuntimeError("X-Adapter: the SD 1.5 branch produced no decoder features")
                    xl_state.step(i)
                    preview = {"latents": xl_state.latents}
                monitor(pipe, i, t, preview)
                return kwargs

            try:
                with torch.inference_mode():
                    runner(prompt=knobs.sd15_prompt or params.prompt,
                           negative_prompt=params.negative_prompt or None,
                           num_inference_steps=params.steps, guidance_scale=g15, width=w15, height=h15,
                           num_images_per_prompt=n, generator=gens_15, output_type="latent",
                           callback_on_step_end=on_step, **call)
                    timings.setdefault("stage1_s", 0.0)
                    images = xl_state.decode()
            except torch.OutOfMemoryError as err:
                raise OutOfMemory(f"out of device memory at {params.width}x{params.height} (+ SD 1.5 at "
                                  f"{w15}x{h15}) x{n}: {err}") from err
            finished = time.perf_counter()
            timings["stage2_s"] = round(finished - mark[0], 4)
        return GenerateResult(images, {
            "seed": seed, "seeds": [(seed + i) % 2**63 for i in range(n)],
            "width": params.width, "height": params.height, "steps": params.steps,
            "scheduler": params.scheduler, "guidance_scale": params.guidance_scale,
            "models": models, "device": str(eng.spec.device), "dtype": str(eng.spec.dtype).removeprefix("torch."),
            "x_adapter": {"name": knobs.name, "t0": knobs.t0, "fusion": knobs.fusion,
                          "guidance_scale": g15, "sd15_width": w15, "sd15_height": h15,
                          "stage1_steps": k, "stage2_steps": stage2,
                          "levels": [f"sd15.up.{lv.source}->sdxl.{lv.target}" for lv in mapping.levels],
                          "branches": {"sd15": branches["sd15"], "sdxl": branches["sdxl"]},
                          "timings": timings},
            "timings": {"prepare_s": round(prepared - t_start, 4), "denoise_decode_s": round(finished - prepared, 4),
                        "total_s": round(finished - t_start, 4)},
        })


def _x0_estimate(scheduler: Any, last: _LastCall, guidance: float | None) -> torch.Tensor:
    """x̂0 from SD 1.5's last UNet call: its input is x_t in variance-preserving form for every
    scheduler the worker offers (Euler's scale_model_input divides by √(σ²+1)), so
    x̂0 = (x_t - √(1-ᾱ)·ε̂)/√ᾱ (epsilon) or √ᾱ·x_t - √(1-ᾱ)·v (v-prediction)."""
    assert last.sample is not None and last.output is not None  # noqa: S101 - a step ran
    sample, out = last.sample, last.output
    if guidance is not None:
        half = sample.shape[0] // 2
        uncond, cond = out[:half], out[half:]
        out, sample = uncond + guidance * (cond - uncond), sample[half:]
    t = int(torch.as_tensor(last.timestep).flatten()[0].round().item())
    abar = scheduler.alphas_cumprod[t].to(sample.device, torch.float32)
    a, s = abar.sqrt(), (1 - abar).sqrt()
    x, o = sample.float(), out.float()
    if scheduler.config.prediction_type == "v_prediction":
        return (a * x - s * o).to(sample.dtype)
    return ((x - s * o) / a).to(sample.dtype)


class _SDXLBranch:
    """SDXL's half of stage two: the steps of diffusers' StableDiffusionXLPipeline.__call__, one at
    a time (same prompt encoding, micro-conditioning, noise draw, CFG and scheduler step), so that
    with nothing added it is a plain SDXL job, bit for bit."""

    def __init__(self, pipe: Any, params: GenerateParams, device: torch.device, gens: list[torch.Generator]) -> None:
        self.pipe, self.params, self.device, self.gens = pipe, params, device, gens
        self.scheduler: Any = pipe.scheduler
        self.latents: torch.Tensor | None = None
        self.timesteps: torch.Tensor | None = None

    def prepare(self, steps: int, begin: int) -> None:
        p, pipe = self.params, self.pipe
        self.cfg = p.guidance_scale > 1.0 and pipe.unet.config.time_cond_proj_dim is None
        pe, npe, ppe, nppe = pipe.encode_prompt(
            prompt=p.prompt, device=self.device, num_images_per_prompt=p.num_images,
            do_classifier_free_guidance=self.cfg, negative_prompt=p.negative_prompt or None)
        self.scheduler.set_timesteps(steps, device=self.device)
        self.timesteps = self.scheduler.timesteps
        # as StableDiffusionXLPipeline.prepare_latents, with this job's scheduler (set to N steps)
        f = pipe.vae_scale_factor
        shape = (p.num_images, pipe.unet.config.in_channels, p.height // f, p.width // f)
        latents = randn_tensor(shape, generator=self.gens, device=self.device, dtype=pe.dtype)
        latents = latents * self.scheduler.init_noise_sigma
        self.extra = pipe.prepare_extra_step_kwargs(self.gens, 0.0)
        proj = int(ppe.shape[-1]) if pipe.text_encoder_2 is None else pipe.text_encoder_2.config.projection_dim
        time_ids = pipe._get_add_time_ids((p.height, p.width), (0, 0), (p.height, p.width),
                                          dtype=pe.dtype, text_encoder_projection_dim=proj)
        text_embeds = ppe
        if self.cfg:
            pe = torch.cat([npe, pe], dim=0)
            text_embeds = torch.cat([nppe, text_embeds], dim=0)
            time_ids = torch.cat([time_ids, time_ids], dim=0)
        self.prompt_embeds = pe.to(self.device)
        self.added = {"text_embeds": text_embeds.to(self.device),
                      "time_ids": time_ids.to(self.device).repeat(p.num_images, 1)}
        if hasattr(self.scheduler, "set_begin_index"):
            self.scheduler.set_begin_index(begin)
        self.latents = latents if begin == 0 else None

    def from_sd15(self, sd15: Any, x0: torch.Tensor, begin: int) -> None:
        """SDEdit hand-over: decode x̂0 (SD 1.5 VAE), resize, encode (SDXL VAE), noise to step `begin`."""
        pipe, p = self.pipe, self.params
        image = sd15.vae.decode(x0 / sd15.vae.config.scaling_factor, return_dict=False)[0].clamp(-1, 1)
        image = F.interpolate(image.float(), size=(p.height, p.width), mode="bicubic", align_corners=False)
        vae = pipe.vae
        image = image.clamp(-1, 1).to(vae.dtype)
        latents = torch.cat([vae.encode(image[i:i + 1]).latent_dist.sample(g) for i, g in enumerate(self.gens)])
        latents = latents * vae.config.scaling_factor
        noise = randn_tensor(latents.shape, generator=self.gens, device=self.device, dtype=latents.dtype)
        assert self.timesteps is not None  # noqa: S101 - prepared
        dtype = self.prompt_embeds.dtype
        self.latents = self.scheduler.add_noise(latents.to(dtype), noise.to(dtype),
                                                self.timesteps[begin:begin + 1].repeat(latents.shape[0]))

    def step(self, i: int) -> None:
        pipe, g = self.pipe, self.params.guidance_scale
        assert self.latents is not None and self.timesteps is not None  # noqa: S101 - prepared
        t = self.timesteps[i]
        x = torch.cat([self.latents] * 2) if self.cfg else self.latents
        x = self.scheduler.scale_model_input(x, t)
        noise = pipe.unet(x, t, encoder_hidden_states=self.prompt_embeds, timestep_cond=None,
                          cross_attention_kwargs=None, added_cond_kwargs=self.added, return_dict=False)[0]
        if self.cfg:
            uncond, cond = noise.chunk(2)
            noise = uncond + g * (cond - uncond)
        self.latents = self.scheduler.step(noise, t, self.latents, **self.extra, return_dict=False)[0]

    def decode(self) -> list[Image.Image]:
        pipe = self.pipe
        vae = pipe.vae
        latents = self.latents
        assert latents is not None  # noqa: S101 - stage two ran
        upcast = vae.dtype == torch.float16 and vae.config.force_upcast
        if upcast:
            pipe.upcast_vae()
            latents = latents.to(next(iter(vae.post_quant_conv.parameters())).dtype)
        try:
            mean, std = getattr(vae.config, "latents_mean", None), getattr(vae.config, "latents_std", None)
            if mean is not None and std is not None:
                m = torch.tensor(mean).view(1, 4, 1, 1).to(latents.device, latents.dtype)
                s = torch.tensor(std).view(1, 4, 1, 1).to(latents.device, latents.dtype)
                latents = latents * s / vae.config.scaling_factor + m
            else:
                latents = latents / vae.config.scaling_factor
            image = vae.decode(latents, return_dict=False)[0]
        finally:
            if upcast:
                vae.to(dtype=torch.float16)
        if getattr(pipe, "watermark", None) is not None:
            image = pipe.watermark.apply_watermark(image)
        return list(pipe.image_processor.postprocess(image, output_type="pil"))
