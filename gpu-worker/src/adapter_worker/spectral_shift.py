"""SVDiff spectral shifts (Han et al., "SVDiff: Compact Parameter Space for Diffusion Fine-Tuning",
arXiv 2303.11305), written to be read beside the paper.

Paper §3.1. Every weight matrix W of the UNet — a linear layer's `out × in`, or a convolution
kernel `out × in × kh × kw` reshaped to `out × (in·kh·kw)` — is decomposed once,

    W = U Σ Vᵀ,  Σ = diag(σ),  σ ≥ 0  (computed in fp32, U, σ, Vᵀ frozen),

and fine-tuning learns only a shift δ of the singular values (one number per singular value):

    W_δ = U diag(ReLU(σ + δ)) Vᵀ.                                                        (Eq. 3)

Implementation form. We never use U Σ Vᵀ *instead of* W (that would change the base model by
the SVD's rounding error); we add the difference it makes:

    W_δ = W + U diag(Δ) Vᵀ,  Δ = ReLU(σ + δ) − σ.

This equals Eq. 3 exactly in real arithmetic (W = U Σ Vᵀ), and at δ = 0, Δ = ReLU(σ) − σ = 0
*bit for bit* (σ ≥ 0), so an untrained shift reproduces the base model exactly.

Norm layers (GroupNorm/LayerNorm weights, 1-D) get a full-size shift: γ_δ = γ + δ_norm. The paper
and its reference implementation train them with their own, much smaller learning rate
(1e-3 for spectral shifts, 1e-6 for norm shifts: `param_groups`).

Combining two adapters (paper §3.2, "style mixing"): Σ = diag(ReLU(σ + α·δ1 + (1−α)·δ2)); more
generally a weighted sum Σᵢ wᵢ·δᵢ (`combine`), which is what a generate job's adapter weights do.

The forward pass while training (per layer, `forward_policy="auto"`). Either

- *rebuild*: W_δ = W + (U·Δ) Vᵀ, then one ordinary matmul/conv — costs out·r·k extra
  multiply-adds per call (k = in·kh·kw, r = min(out, k)), independent of the input; or
- *factors*: y = x Wᵀ + ((x V) Δ) Uᵀ (for a convolution: a conv with the r kernels Vᵀ, scale by
  Δ, a 1×1 conv with U) — costs N·r·(k + out) extra, N = tokens (batch × output pixels).

so the factors are cheaper exactly when N·(k + out) < out·k, i.e. when the layer sees fewer
tokens than out·k / (k + out) (about r/2 for a square matrix). At SD 1.5's 64×64 latent the
high-resolution blocks (N = 4096·batch, r = 320) rebuild and the 8×8 and 16×16 blocks and the
text cross-attention projections (N = 64–256·batch or 77·batch, r up to 1280) apply the factors.
The backward pass scales the same way (the gradient of Δ is diag(Uᵀ G V) vs. the per-token
projections), so one rule serves both.

For inference `merge` computes W + U diag(Δ) Vᵀ once in fp32 and casts to the layer's dtype;
`unmerge` puts back the original tensors (kept aside), so the model returns to its bits exactly.

Files: `save_shifts` writes **only δ** (fp32) as `.safetensors`, keys `<layer>.spectral_shift`
and `<layer>.norm_shift` (layer = `unet.<module path>` or `text_encoder.<module path>`), with
metadata {format, version, base_model, base_hash, layers}; nothing else is stored.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import struct
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import torch
import torch.nn.functional as F
from safetensors import safe_open
from safetensors.torch import load_file, save_file
from torch import nn

from .cache import ModelCache
from .errors import InvalidInput, LoraMismatch

log = logging.getLogger(__name__)

FORMAT = "adapter-studio/svdiff"
FORMAT_VERSION = "1"
SPECTRAL_SUFFIX = ".spectral_shift"
NORM_SUFFIX = ".norm_shift"
LR_SPECTRAL = 1e-3  # paper / reference implementation
LR_NORM = 1e-6
ForwardPolicy = Literal["auto", "rebuild", "factors"]


class SpectralMismatch(LoraMismatch):
    """A spectral-shift file made for another base model (layer names or sizes differ)."""


# -- the one-time decomposition -------------------------------------------------------------------
@dataclass
class LayerSVD:
    """W (reshaped to out × k) = U diag(S) Vh, all fp32. U: out × r, S: r, Vh: r × k."""

    U: torch.Tensor
    S: torch.Tensor
    Vh: torch.Tensor

    @property
    def rank(self) -> int:
        return int(self.S.numel())


MatrixLayer = nn.Linear | nn.Conv2d
NormLayer = nn.GroupNorm | nn.LayerNorm


def target_layers(model: nn.Module, prefix: str) -> tuple[dict[str, MatrixLayer], dict[str, NormLayer]]:
    """(matrix layers, norm layers) by full name `<prefix>.<module path>`: every nn.Linear and
    ungrouped nn.Conv2d, and every affine GroupNorm/LayerNorm."""
    mats: dict[str, MatrixLayer] = {}
    norms: dict[str, NormLayer] = {}
    for name, module in model.named_modules():
        if _is_peft_part(name):
            continue
        full = f"{prefix}.{_plain_name(name)}"
        if isinstance(module, nn.Linear) or (isinstance(module, nn.Conv2d) and module.groups == 1):
            mats[full] = module
        elif isinstance(module, nn.GroupNorm | nn.LayerNorm) and getattr(module, "weight", None) is not None:
            norms[full] = module
    return mats, norms


def _is_peft_part(name: str) -> bool:
    """Modules peft adds (a LoRA's own A/B layers) are not part of the base model."""
    return any(part.startswith(("lora_", "lora_magnitude")) for part in name.split("."))


def _plain_name(name: str) -> str:
    """The base model's name of a layer: peft wraps an attached layer as `<name>.base_layer` (and
    leaves the wrapper after its adapters are deleted), which must not change layer names."""
    return name.replace(".base_layer", "")


def model_hash(models: Mapping[str, nn.Module]) -> str:
    """A fingerprint of the base weights (keys the on-disk SVD cache and adapter files).

    Hashes every parameter's name, shape and dtype, its sum in fp64 and an evenly strided sample
    of up to 4096 of its values: cheap for SD 1.5 on a GPU (no 3.4 GB copy to the host), and any
    other base model differs in at least one of these.
    """
    h = hashlib.sha256()
    for prefix, model in sorted(models.items()):
        for raw, p in model.named_parameters():
            if _is_peft_part(raw):
                continue
            name = _plain_name(raw)
            t = p.detach()
            flat = t.reshape(-1)
            step = max(1, flat.numel() // 4096)
            sample = flat[::step][:4096].to("cpu", torch.float32).contiguous()
            h.update(f"{prefix}.{name}|{tuple(t.shape)}|{t.dtype}|{float(t.double().sum()):.17g}|".encode())
            h.update(sample.numpy().tobytes())
    return h.hexdigest()[:32]


def decompose(weight: torch.Tensor) -> LayerSVD:
    """W = U Σ Vᵀ of the weight reshaped to out × (in·kh·kw), in fp32 (reduced SVD)."""
    mat = weight.detach().reshape(weight.shape[0], -1).float()
    U, S, Vh = torch.linalg.svd(mat, full_matrices=False)
    return LayerSVD(U.contiguous(), S.contiguous(), Vh.contiguous())


def default_cache_dir() -> Path:
    env = os.environ.get("ADAPTER_WORKER_SVD_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "adapter-worker" / "svd"


def load_or_build_svd(models: Mapping[str, nn.Module], cache_dir: Path | None = None,
                      device: torch.device | None = None) -> tuple[str, dict[str, LayerSVD]]:
    """The SVD of every matrix layer of `models` ({"unet": ..., "text_encoder": ...}), from
    `<cache_dir>/<hash>.safetensors` if present, else computed (on the models' device) and written
    there atomically. Returns (base hash, {layer: LayerSVD on `device`})."""
    digest = model_hash(models)
    mats: dict[str, MatrixLayer] = {}
    for prefix, model in models.items():
        mats.update(target_layers(model, prefix)[0])
    path = (cache_dir or default_cache_dir()) / f"svd-{digest}.safetensors"
    first = next(iter(mats.values()))
    dev = device or first.weight.device
    if path.is_file():
        try:
            state = load_file(str(path), device=str(dev))
            out = {n: LayerSVD(state[f"{n}.U"], state[f"{n}.S"], state[f"{n}.Vh"]) for n in mats}
            return digest, out
        except (KeyError, OSError, RuntimeError) as err:  # stale or damaged: rebuild
            log.warning("SVD cache %s unusable (%s); rebuilding", path, err)
    t0 = time.perf_counter()
    out = {n: decompose(m.weight) for n, m in mats.items()}  # pyright: ignore[reportArgumentType]
    log.info("SVD of %d layers in %.2fs", len(out), time.perf_counter() - t0)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    flat = {f"{n}.{part}": getattr(s, part).cpu() for n, s in out.items() for part in ("U", "S", "Vh")}
    save_file(flat, str(tmp), metadata={"base_hash": digest})
    tmp.replace(path)
    return digest, {n: LayerSVD(s.U.to(dev), s.S.to(dev), s.Vh.to(dev)) for n, s in out.items()}


class SpectralBases:
    """The SVD of each base model's layers, on disk (spectral_shift.load_or_build_svd) and kept
    resident through the engine's model cache."""

    def __init__(self, cache: ModelCache, cache_dir: Path | None = None) -> None:
        self.cache = cache
        self.cache_dir = cache_dir or default_cache_dir()

    def get(self, base_name: str, pipe: Any, text_encoder: bool = False
            ) -> tuple[str, dict[str, LayerSVD]]:
        """(the UNet's fingerprint, {layer: SVD}) for the UNet, and the text encoder when asked. Each
        model's SVD is computed once and shared, so a UNet layer has the same factors (to the bit)
        whichever combination a job needs."""
        models: dict[str, torch.nn.Module] = {"unet": pipe.unet}
        if text_encoder:
            models["text_encoder"] = pipe.text_encoder
        out: dict[str, LayerSVD] = {}
        hashes: list[str] = []
        for prefix, model in models.items():
            digest, svd = self.cache.get(
                f"svd:{base_name}:{prefix}", lambda p=prefix, m=model: load_or_build_svd({p: m}, self.cache_dir),
                lambda v: sum(t.numel() * t.element_size() for s in v[1].values() for t in (s.U, s.S, s.Vh)))
            hashes.append(digest)
            out.update(svd)
        return hashes[0], out


# -- forward passes -------------------------------------------------------------------------------
def conv_tokens(conv: nn.Conv2d, x: torch.Tensor) -> int:
    """N = batch × output pixels of `conv` on `x`."""
    h, w = x.shape[-2:]
    sizes = []
    for size, k, s, p, d in zip((h, w), conv.kernel_size, conv.stride, conv.padding, conv.dilation, strict=True):  # type: ignore[arg-type]
        pad = p if isinstance(p, int) else k // 2  # "same"
        sizes.append((size + 2 * pad - d * (k - 1) - 1) // s + 1)
    batch = x.shape[0] if x.dim() == 4 else 1
    return batch * sizes[0] * sizes[1]


def factors_cheaper(tokens: int, out: int, k: int) -> bool:
    """Apply the factors when N·(k + out) < out·k (extra multiply-adds of each path; module doc)."""
    return tokens * (k + out) < out * k


class _Shifted:
    """The patched forward of one matrix layer (installed as the module's instance `forward`)."""

    def __init__(self, module: MatrixLayer, svd: LayerSVD, delta: torch.Tensor, policy: ForwardPolicy) -> None:
        self.module, self.delta, self.policy = module, delta, policy
        dtype = module.weight.dtype  # pyright: ignore[reportAttributeAccessIssue]
        self.U, self.S, self.Vh = svd.U.to(dtype), svd.S, svd.Vh.to(dtype)
        self.out, self.k = svd.U.shape[0], svd.Vh.shape[1]
        self.used: set[str] = set()

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        m = self.module
        Δ = (F.relu(self.S + self.delta) - self.S).to(x.dtype)
        conv = isinstance(m, nn.Conv2d)
        tokens = conv_tokens(m, x) if conv else x.numel() // x.shape[-1]  # pyright: ignore[reportArgumentType]
        use_factors = self.policy == "factors" or (
            self.policy == "auto" and factors_cheaper(tokens, self.out, self.k))
        self.used.add("factors" if use_factors else "rebuild")
        W = m.weight
        if not use_factors:
            W_delta = W + ((self.U * Δ) @ self.Vh).reshape(W.shape)
            return m._conv_forward(x, W_delta, m.bias) if conv else F.linear(x, W_delta, m.bias)  # type: ignore[operator]
        if conv:
            base = m._conv_forward(x, W, m.bias)  # type: ignore[operator]
            v = m._conv_forward(x, self.Vh.reshape(-1, *W.shape[1:]), None)  # type: ignore[operator]
            v = v * Δ[:, None, None]
            return base + F.conv2d(v, self.U[:, :, None, None])
        return F.linear(x, W, m.bias) + F.linear(F.linear(x, self.Vh) * Δ, self.U)


class _NormShifted:
    def __init__(self, module: NormLayer, delta: torch.Tensor) -> None:
        self.module, self.delta = module, delta

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        m = self.module
        weight = m.weight + self.delta.to(m.weight.dtype)  # pyright: ignore[reportOperatorIssue]
        if isinstance(m, nn.GroupNorm):
            return F.group_norm(x, m.num_groups, weight, m.bias, m.eps)
        assert isinstance(m, nn.LayerNorm)  # noqa: S101
        return F.layer_norm(x, m.normalized_shape, weight, m.bias, m.eps)


# -- the trainable / loadable shifts --------------------------------------------------------------
class SpectralShifts:
    """δ for every matrix layer and norm layer of the given models.

    `shifts = SpectralShifts.for_models({"unet": unet}, svd)`; then either
    `with shifts.attached(): ...train...` (forward patched, δ trainable) or
    `with shifts.merged(): ...sample...` (weights rewritten once, restored after).
    """

    def __init__(self, models: Mapping[str, nn.Module], svd: Mapping[str, LayerSVD], base_hash: str = "",
                 with_norms: bool = True) -> None:
        self.models = dict(models)
        self.base_hash = base_hash
        self.mats: dict[str, MatrixLayer] = {}
        self.norms: dict[str, NormLayer] = {}
        for prefix, model in self.models.items():
            mats, norms = target_layers(model, prefix)
            self.mats.update(mats)
            if with_norms:
                self.norms.update(norms)
        missing = sorted(set(self.mats) - set(svd))
        if missing:
            raise InvalidInput(f"no SVD for {len(missing)} layer(s), e.g. {missing[:3]}")
        self.svd = {n: svd[n] for n in self.mats}
        dev = next(iter(self.svd.values())).S.device
        self.spectral = {n: nn.Parameter(torch.zeros_like(s.S)) for n, s in self.svd.items()}
        self.norm = {n: nn.Parameter(torch.zeros(m.weight.shape, device=dev))  # pyright: ignore[reportAttributeAccessIssue]
                     for n, m in self.norms.items()}
        self._saved: dict[str, torch.Tensor] | None = None
        self._patched: dict[str, _Shifted] = {}

    def parameters(self) -> list[nn.Parameter]:
        return [*self.spectral.values(), *self.norm.values()]

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())

    def param_groups(self, lr_spectral: float = LR_SPECTRAL, lr_norm: float = LR_NORM) -> list[dict[str, object]]:
        """Two optimizer groups: spectral shifts at 1e-3, norm shifts at 1e-6 (the paper's)."""
        groups: list[dict[str, object]] = [{"params": list(self.spectral.values()), "lr": lr_spectral}]
        if self.norm:
            groups.append({"params": list(self.norm.values()), "lr": lr_norm})
        return groups

    def zero_(self) -> None:
        with torch.no_grad():
            for p in self.parameters():
                p.zero_()

    # -- training: patched forwards ---------------------------------------------------------------
    @contextmanager
    def attached(self, policy: ForwardPolicy = "auto") -> Iterator[dict[str, _Shifted]]:
        """Patch each layer's forward to use W_δ (δ trainable); restore the plain forwards after."""
        patched: list[nn.Module] = []
        try:
            for n, m in self.mats.items():
                fwd = _Shifted(m, self.svd[n], self.spectral[n], policy)
                m.forward = fwd  # type: ignore[method-assign]
                self._patched[n] = fwd
                patched.append(m)
            for n, m in self.norms.items():
                m.forward = _NormShifted(m, self.norm[n])  # type: ignore[method-assign]
                patched.append(m)
            yield self._patched
        finally:
            for m in patched:
                if "forward" in m.__dict__:
                    del m.forward
            self._patched = {}

    # -- inference: merge once --------------------------------------------------------------------
    def merge(self, weight: float = 1.0) -> None:
        """W ← cast(W + U diag(ReLU(σ + w·δ) − σ) Vᵀ) computed in fp32; γ ← γ + w·δ_norm.
        The original tensors are kept aside for `unmerge`."""
        if self._saved is not None:
            raise RuntimeError("spectral shifts are already merged")
        saved: dict[str, torch.Tensor] = {}
        with torch.no_grad():
            for n, m in self.mats.items():
                s, W = self.svd[n], m.weight
                Δ = F.relu(s.S + weight * self.spectral[n].detach()) - s.S
                if not bool(Δ.any()):
                    continue
                saved[n] = W.detach().clone()  # pyright: ignore[reportCallIssue]
                merged = W.detach().float() + ((s.U * Δ) @ s.Vh).reshape(W.shape)  # pyright: ignore[reportCallIssue,reportArgumentType]
                W.copy_(merged.to(W.dtype))  # pyright: ignore[reportCallIssue]
            for n, m in self.norms.items():
                d = self.norm[n].detach()
                if not bool(d.any()):
                    continue
                saved[n] = m.weight.detach().clone()  # pyright: ignore[reportCallIssue]
                m.weight.copy_((m.weight.detach().float() + weight * d).to(m.weight.dtype))  # pyright: ignore[reportCallIssue]
        self._saved = saved

    def unmerge(self) -> None:
        """Put the original weights back, bit for bit."""
        if self._saved is None:
            return
        with torch.no_grad():
            for n, original in self._saved.items():
                module = self.mats.get(n) or self.norms[n]
                module.weight.copy_(original)  # pyright: ignore[reportCallIssue]
        self._saved = None

    @contextmanager
    def merged(self, weight: float = 1.0) -> Iterator[None]:
        self.merge(weight)
        try:
            yield
        finally:
            self.unmerge()

    # -- δ in and out ------------------------------------------------------------------------------
    def state(self) -> dict[str, torch.Tensor]:
        """Only δ: `<layer>.spectral_shift` (r values) and `<layer>.norm_shift` (C values), fp32."""
        out = {f"{n}{SPECTRAL_SUFFIX}": p.detach().float().cpu().contiguous() for n, p in self.spectral.items()}
        out.update({f"{n}{NORM_SUFFIX}": p.detach().float().cpu().contiguous() for n, p in self.norm.items()})
        return out

    def load_state(self, state: Mapping[str, torch.Tensor], name: str = "adapter") -> None:
        """Set δ from a file's tensors; layers the file lacks stay 0. Unknown layers or wrong sizes
        mean the file was made for another base model: a clear error, nothing changed."""
        expected = {f"{n}{SPECTRAL_SUFFIX}": tuple(p.shape) for n, p in self.spectral.items()}
        expected.update({f"{n}{NORM_SUFFIX}": tuple(p.shape) for n, p in self.norm.items()})
        unknown = sorted(k for k in state if k not in expected)
        wrong = sorted(f"{k} {tuple(v.shape)} (model: {expected[k]})" for k, v in state.items()
                       if k in expected and tuple(v.shape) != expected[k])
        if unknown or wrong:
            parts = []
            if unknown:
                parts.append(f"{len(unknown)} layer(s) the base model does not have: {', '.join(unknown[:10])}")
            if wrong:
                parts.append(f"{len(wrong)} layer(s) of another size: {', '.join(wrong[:10])}")
            raise SpectralMismatch(f"spectral-shift adapter {name} was made for another base model: "
                                   + "; ".join(parts))
        with torch.no_grad():
            for p in self.parameters():
                p.zero_()
            for k, v in state.items():
                target = self.spectral[k[: -len(SPECTRAL_SUFFIX)]] if k.endswith(SPECTRAL_SUFFIX) \
                    else self.norm[k[: -len(NORM_SUFFIX)]]
                target.copy_(v.to(target.device, target.dtype))


def save_shifts(path: Path, state: Mapping[str, torch.Tensor], base_model: str, base_hash: str = "") -> None:
    layers = sorted({k.rsplit(".", 1)[0] for k in state})
    meta = {"format": FORMAT, "version": FORMAT_VERSION, "base_model": base_model, "base_hash": base_hash,
            "layers": json.dumps(layers), "parameters": str(sum(v.numel() for v in state.values()))}
    write_safetensors_f32(path, state, meta)


def write_safetensors_f32(path: Path, state: Mapping[str, torch.Tensor], metadata: Mapping[str, str]) -> None:
    """The .safetensors format written with sorted keys, so the same δ always gives the same bytes
    (the safetensors library orders its header by a hash map). 8-byte little-endian header length,
    the JSON header (padded with spaces to a multiple of 8), then the F32 tensors back to back."""
    header: dict[str, object] = {"__metadata__": dict(sorted(metadata.items()))}
    blobs: list[bytes] = []
    offset = 0
    for name in sorted(state):
        t = state[name].detach().to("cpu", torch.float32).contiguous()
        data = t.numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)
    with path.open("wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for blob in blobs:
            f.write(blob)


def is_spectral_file(path: Path) -> bool:
    """True when a .safetensors file holds spectral shifts (by metadata, else by key names)."""
    try:
        with safe_open(str(path), framework="pt") as f:
            meta = f.metadata() or {}
            if meta.get("format") == FORMAT:
                return True
            keys = list(f.keys())
    except Exception:  # not a readable safetensors file: not ours
        return False
    return bool(keys) and all(k.endswith((SPECTRAL_SUFFIX, NORM_SUFFIX)) for k in keys)


def load_shifts(path: Path) -> tuple[dict[str, torch.Tensor], dict[str, str]]:
    try:
        with safe_open(str(path), framework="pt") as f:
            meta = dict(f.metadata() or {})
            state = {k: f.get_tensor(k) for k in f.keys()}  # noqa: SIM118 (safe_open has no __iter__)
    except Exception as err:
        raise InvalidInput(f"{path.name} is not a readable .safetensors file: {err}") from err
    bad = [k for k in state if not k.endswith((SPECTRAL_SUFFIX, NORM_SUFFIX))]
    if bad or not state:
        raise InvalidInput(f"{path.name} is not a spectral-shift adapter (unexpected keys: {bad[:5]})")
    return state, meta


def combine(states: list[Mapping[str, torch.Tensor]], weights: list[float]) -> dict[str, torch.Tensor]:
    """Σᵢ wᵢ·δᵢ per key (missing keys count as 0). With [δ1, δ2] and [α, 1 − α] this is the paper's
    ReLU(σ + α·δ1 + (1−α)·δ2) once applied; α = 1 gives exactly δ1."""
    out: dict[str, torch.Tensor] = {}
    for state, w in zip(states, weights, strict=True):
        for k, v in state.items():
            term = v.float() * w
            out[k] = out[k] + term if k in out else term
    return out


def is_spectral_state(state: Mapping[str, torch.Tensor]) -> bool:
    return bool(state) and all(k.endswith((SPECTRAL_SUFFIX, NORM_SUFFIX)) for k in state)


def random_shifts(models: Mapping[str, nn.Module], seed: int, scale: float = 0.3,
                  with_norms: bool = True) -> dict[str, torch.Tensor]:
    """A δ of the right sizes for `models` (no SVD needed: r = min(out, in·kh·kw)); fixtures."""
    g = torch.Generator().manual_seed(seed)
    out: dict[str, torch.Tensor] = {}
    for prefix, model in models.items():
        mats, norms = target_layers(model, prefix)
        for n, m in mats.items():
            r = min(m.weight.shape[0], m.weight[0].numel())
            out[f"{n}{SPECTRAL_SUFFIX}"] = torch.randn(r, generator=g) * scale
        if with_norms:
            for n, m in norms.items():
                out[f"{n}{NORM_SUFFIX}"] = torch.randn(m.weight.shape, generator=g) * scale * 0.1
    return out
