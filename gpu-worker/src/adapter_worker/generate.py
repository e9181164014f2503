"""The `generate` job: text-to-image with any mix of IP-Adapter references, ControlNets,
T2I-Adapters and LoRAs, through the maintained diffusers pipelines.

One engine, the pipeline chosen by the base model's family: sd15 → StableDiffusionPipeline (+
StableDiffusionControlNetPipeline); sdxl → StableDiffusionXLPipeline (+ the XL ControlNet
pipeline), with SDXL's size/crop micro-conditioning at its defaults (original_size = target_size
= the job's size, crops_coords_top_left = (0, 0)). Plugins compose the same way for both. A
plugin of the other family goes through `_route_cross_family` (X-Adapter, or a clear refusal).

Per-job state (IP-Adapter processors and scales, peft adapters, the T2I hook, the scheduler, the
ControlNet wrapper pipeline) is attached inside an ExitStack and removed when the job ends,
however it ends, and reset defensively before it starts: job B never sees job A's choices.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from diffusers import (
    ControlNetModel,
    StableDiffusionControlNetPipeline,
    StableDiffusionPipeline,
    StableDiffusionXLControlNetPipeline,
)
from PIL import Image

from . import loaders
from .cache import LoraStore, ModelCache
from .device import DeviceSpec, cache_budget_bytes, module_bytes, select_device
from .errors import InvalidInput, OutOfMemory
from .images import control_map
from .ip_adapter import detach_ip_adapter, ip_adapter_attached, reference_embeds
from .lora import LoadedLora, check_lora, detach_all_loras, lora_family, loras_attached
from .params import GenerateParams
from .progress import StepMonitor
from .registry import Family, ModelRegistry
from .schedulers import make_scheduler
from .spectral_shift import SpectralBases, SpectralShifts, combine, is_spectral_state
from .t2i import AdapterFeatures, adapter_features, adapter_residuals


@dataclass
class GenerateResult:
    images: list[Image.Image]
    metadata: dict[str, Any] = field(default_factory=dict)


class GenerateEngine:
    """`setup` once (registry, device, caches), then `run(params, inputs)` for many jobs."""

    def __init__(self, registry: ModelRegistry, spec: DeviceSpec | None = None,
                 cache: ModelCache | None = None, loras: LoraStore | None = None) -> None:
        self.registry = registry
        self.spec = spec or select_device()
        self.cache = cache or ModelCache(cache_budget_bytes(self.spec))
        self.loras = loras or LoraStore()
        self._spectral: SpectralBases | None = None

    def spectral_bases(self, cache_dir: Path | None = None) -> SpectralBases:
        """The per-base-model SVDs (for spectral-shift adapters), resident in this engine's cache."""
        if self._spectral is None or (cache_dir is not None and cache_dir != self._spectral.cache_dir):
            self._spectral = SpectralBases(self.cache, cache_dir)
        return self._spectral

    # -- models, through the cache ------------------------------------------------------------
    def pipeline(self, name: str | None, require: Family | None = None
                 ) -> tuple[str, Family, StableDiffusionPipeline]:
        """The cached base pipeline (SD 1.5 or SDXL by the entry's family); `require` refuses the other."""
        key, entry = self.registry.base_model(name)
        if require is not None and entry.family != require:
            raise InvalidInput(f"base model {key!r} is {entry.family}; this job kind runs on {require} base models")
        # Paths are resolved (and checked) only on a cache miss: a resident model needs no disk.
        pipe = self.cache.get(f"base:{key}",
                              lambda: loaders.load_base_pipeline(self.registry.resolve(entry),  # type: ignore[arg-type]
                                                                 self.spec),
                              lambda p: module_bytes(*(m for m in (p.unet, p.vae, p.text_encoder,
                                                                   getattr(p, "text_encoder_2", None))
                                                       if m is not None)))
        return key, entry.family, pipe

    def plugin_families(self, params: GenerateParams, base_family: Family, inputs: Mapping[str, Path]
                        ) -> list[tuple[str, Family]]:
        """(plugin, family) for every plugin of the job: a control's and IP-Adapter's family as asked
        (default: the base's); a LoRA's from its own keys (`lora.lora_family`; spectral shifts are
        trained on SD 1.5), which must agree with `loras[i].family` when the job gives one."""
        out: list[tuple[str, Family]] = []
        for i, c in enumerate(params.controls):
            out.append((f"controls[{i}] ({c.adapter} {c.type})", c.family or base_family))
        for i, lo in enumerate(params.loras):
            _, state = self.loras.get(inputs[lo.file])
            found, why = ("sd15", "a spectral-shift adapter") if is_spectral_state(state) else lora_family(state)
            if found is not None and lo.family is not None and found != lo.family:
                raise InvalidInput(f"loras[{i}] ({lo.file}) is an {found} LoRA ({why}), "
                                   f"not {lo.family} as the job says")
            out.append((f"loras[{i}] ({lo.file}, {why})" if found else f"loras[{i}] ({lo.file})",
                        found or lo.family or base_family))
        if params.references:
            out.append((f"ip_adapter {params.ip_adapter}", params.ip_adapter_family or base_family))
        return out

    def _route_cross_family(self, params: GenerateParams, base_name: str, base_family: Family,
                            inputs: Mapping[str, Path], monitor: StepMonitor) -> GenerateResult | None:
        """The seam for plugins of the other family. None: every plugin is of the base's family and
        the job runs here. Otherwise (today) a clear refusal naming each plugin's family; X-Adapter
        replaces the sd15-plugins-on-sdxl branch with its own run."""
        families = self.plugin_families(params, base_family, inputs)
        foreign = [(what, fam) for what, fam in families if fam != base_family]
        if not foreign:
            return None
        listed = "; ".join(f"{what} is {fam}" for what, fam in foreign)
        if base_family == "sd15":
            raise InvalidInput(f"base model {base_name!r} is sd15 and cannot run SDXL plugins: {listed}")
        if self.registry.config.x_adapters:  # SD 1.5 plugins on SDXL: X-Adapter (xadapter_pipeline.py)
            from .xadapter_pipeline import XAdapterRun
            return XAdapterRun(self).run(params, inputs, monitor, families)
        raise InvalidInput(f"base model {base_name!r} is {base_family}; {listed}: an SD 1.5 plugin runs on SDXL only "
                           "through X-Adapter, and no X-Adapter is configured on this worker")

    def _controlnet(self, family: Family, ctype: str, pipe: StableDiffusionPipeline) -> ControlNetModel:
        entry = self.registry.controlnet(family, ctype)
        return self.cache.get(f"controlnet:{family}/{ctype}",
                              lambda: loaders.load_controlnet(self.registry.resolve(entry), self.spec, pipe.unet),
                              module_bytes)

    def _t2i(self, family: Family, ctype: str, pipe: StableDiffusionPipeline) -> Any:
        entry = self.registry.t2i_adapter(family, ctype)
        return self.cache.get(f"t2i:{family}/{ctype}",
                              lambda: loaders.load_t2i_adapter(self.registry.resolve(entry), self.spec, pipe.unet),
                              module_bytes)

    def _ip_weights(self, family: Family, name: str, pipe: StableDiffusionPipeline) -> loaders.IPAdapterWeights:
        entry = self.registry.ip_adapter(family, name)

        def load() -> loaders.IPAdapterWeights:
            w = loaders.read_ip_adapter(self.registry.resolve(entry).path, pipe.unet)
            # Kept on the device in its dtype: attaching per job then copies nothing host-to-device.
            w.state = {part: {k: v.to(self.spec.device, self.spec.dtype) for k, v in sd.items()}
                       for part, sd in w.state.items()}
            return w

        return self.cache.get(f"ip:{family}/{name}", load,
                              lambda w: sum(t.numel() * t.element_size() for sd in w.state.values()
                                            for t in sd.values()))

    def _encoder(self, family: Family, name: str) -> loaders.ImageEncoder:
        ip_entry = self.registry.ip_adapter(family, name)
        entry = self.registry.image_encoder(ip_entry.image_encoder)
        return self.cache.get(f"encoder:{ip_entry.image_encoder}",
                              lambda: loaders.load_image_encoder(self.registry.resolve(entry), self.spec),
                              lambda e: module_bytes(e.model))

    # -- the job ------------------------------------------------------------------------------
    def run(self, params: GenerateParams, inputs: Mapping[str, Path], monitor: StepMonitor | None = None
            ) -> GenerateResult:
        monitor = monitor or StepMonitor()
        missing = sorted(params.input_names() - set(inputs))
        if missing:
            raise InvalidInput(f"the job refers to inputs it does not provide: {missing}")
        monitor.check()
        t0 = time.perf_counter()
        seed = params.seed if params.seed is not None else secrets.randbelow(2**63)
        key, entry = self.registry.base_model(params.base_model)
        routed = self._route_cross_family(params, key, entry.family, inputs, monitor)
        if routed is not None:
            return routed
        xl_call: dict[str, Any] = {}
        with self.cache.job_scope(), ExitStack() as stack:
            base_name, family, pipe = self.pipeline(params.base_model)
            self._reset(pipe)
            models: dict[str, Any] = {"base_model": base_name, "family": family}
            if family == "sdxl":
                size = (params.height, params.width)
                xl_call = {"original_size": size, "target_size": size, "crops_coords_top_left": (0, 0)}

            # Inputs and models first, so bad input fails before any denoising.
            cn_controls = [c for c in params.controls if c.adapter == "controlnet"]
            t2i_controls = [c for c in params.controls if c.adapter == "t2i_adapter"]
            nets = [self._controlnet(family, c.type, pipe) for c in cn_controls]
            adapters = [self._t2i(family, c.type, pipe) for c in t2i_controls]
            maps = {id(c): control_map(inputs[c.image], f"controls[{i}]", params.width, params.height,
                                       c.preprocess, c.canny_low, c.canny_high)
                    for i, c in enumerate(params.controls)}
            loras, spectral = [], []
            for lo in params.loras:
                digest, state = self.loras.get(inputs[lo.file])
                if is_spectral_state(state):  # an SVDiff adapter (spectral_shift.py), not a LoRA
                    spectral.append(LoadedLora(lo.file, digest, state, lo.weight))
                    continue
                check_lora(pipe, lo.file, state)
                loras.append(LoadedLora(lo.file, digest, state, lo.weight))
            models["loras"] = [{"file": lo.name, "sha256": lo.digest, "weight": lo.weight, "kind": kind}
                               for kind, group in (("lora", loras), ("svdiff", spectral)) for lo in group]
            if spectral:
                # δ = Σ wᵢ·δᵢ, merged once into the weights (fp32, then cast); restored bit for bit
                # when the job ends, before any LoRA is attached so their removal order is LIFO.
                with_te = any(k.startswith("text_encoder.") for lo in spectral for k in lo.state)
                base_hash, svd = self.spectral_bases().get(base_name, pipe, with_te)
                shift_models: dict[str, torch.nn.Module] = {"unet": pipe.unet}
                if with_te:
                    shift_models["text_encoder"] = pipe.text_encoder
                shifts = SpectralShifts(shift_models, svd, base_hash)
                for lo in spectral:
                    shifts.load_state(lo.state, lo.name)  # checks each file against this base model
                shifts.load_state(combine([lo.state for lo in spectral], [lo.weight for lo in spectral]))
                shifts.merge()
                stack.callback(shifts.unmerge)

            call: dict[str, Any] = {}
            if params.references:
                weights = self._ip_weights(family, params.ip_adapter, pipe)
                encoder_used: list[str] = []

                def get_encoder() -> loaders.ImageEncoder:
                    enc = self._encoder(family, params.ip_adapter)
                    encoder_used.append(str(enc.path))
                    return enc

                call["ip_adapter_image_embeds"] = reference_embeds(
                    params.references, inputs, weights, get_encoder, self.spec, params.do_cfg)
                stack.enter_context(ip_adapter_attached(pipe, weights, [r.weight for r in params.references]))
                models["ip_adapter"] = {"name": params.ip_adapter, "variant": weights.variant,
                                        "image_encoder": encoder_used[0] if encoder_used else None}
            stack.enter_context(loras_attached(pipe, loras))

            features: list[AdapterFeatures] = [
                adapter_features(a, maps[id(c)], c.scale, c.start, c.end, self.spec)
                for a, c in zip(adapters, t2i_controls, strict=True)]
            stack.enter_context(adapter_residuals(pipe.unet, features, monitor))
            models["controlnets"] = [c.type for c in cn_controls]
            models["t2i_adapters"] = [c.type for c in t2i_controls]

            runner: StableDiffusionPipeline = pipe
            if nets:
                # A view over the cached pipeline's modules: no weights are copied.
                net_arg = nets if len(nets) > 1 else nets[0]
                if family == "sdxl":
                    runner = StableDiffusionXLControlNetPipeline(  # type: ignore[assignment]
                        **pipe.components, controlnet=net_arg, add_watermarker=False)  # type: ignore[arg-type]
                else:
                    runner = StableDiffusionControlNetPipeline(
                        **pipe.components, controlnet=net_arg)  # type: ignore[arg-type]
                runner.set_progress_bar_config(disable=True)
                single = len(nets) == 1
                call["image"] = maps[id(cn_controls[0])] if single else [maps[id(c)] for c in cn_controls]
                call["controlnet_conditioning_scale"] = cn_controls[0].scale if single \
                    else [c.scale for c in cn_controls]
                call["control_guidance_start"] = [c.start for c in cn_controls]
                call["control_guidance_end"] = [c.end for c in cn_controls]
            runner.scheduler = make_scheduler(params.scheduler, pipe.scheduler.config)
            prepared = time.perf_counter()

            monitor.start(params.steps)
            generators = [torch.Generator(device="cpu").manual_seed((seed + i) % 2**63)
                          for i in range(params.num_images)]
            try:
                with torch.inference_mode():
                    out = runner(
                        prompt=params.prompt, negative_prompt=params.negative_prompt or None,
                        num_inference_steps=params.steps, guidance_scale=params.guidance_scale,
                        width=params.width, height=params.height, num_images_per_prompt=params.num_images,
                        generator=generators, output_type="pil",
                        # diffusers' annotation omits the documented (pipe, step, t, kwargs) callable
                        callback_on_step_end=monitor,  # pyright: ignore[reportArgumentType]
                        **call, **xl_call)
            except torch.OutOfMemoryError as err:
                raise OutOfMemory(f"out of device memory at {params.width}x{params.height} "
                                  f"x{params.num_images}: {err}") from err
            finished = time.perf_counter()
        images: list[Image.Image] = list(out.images)  # type: ignore[union-attr]
        return GenerateResult(images, {
            "seed": seed, "seeds": [(seed + i) % 2**63 for i in range(params.num_images)],
            "width": params.width, "height": params.height, "steps": params.steps,
            "scheduler": params.scheduler, "guidance_scale": params.guidance_scale,
            **({"micro_conditioning": {"original_size": [params.width, params.height],
                                       "target_size": [params.width, params.height],
                                       "crops_coords_top_left": [0, 0]}} if xl_call else {}),
            "models": models, "device": str(self.spec.device), "dtype": str(self.spec.dtype).removeprefix("torch."),
            "timings": {"prepare_s": round(prepared - t0, 4), "denoise_decode_s": round(finished - prepared, 4),
                        "total_s": round(finished - t0, 4)},
        })

    @staticmethod
    def _reset(pipe: StableDiffusionPipeline) -> None:
        """Undo anything a crashed job could have left attached (normally a no-op)."""
        detach_ip_adapter(pipe)
        detach_all_loras(pipe)
