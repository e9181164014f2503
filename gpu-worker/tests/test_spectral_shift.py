"""SVDiff spectral shifts: exactness at δ = 0, the two forward paths, merge/unmerge, files, mixing."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest
import torch
from diffusers import UNet2DConditionModel

from adapter_worker import spectral_shift
from adapter_worker.arch_configs import TINY
from adapter_worker.model_builders import build_unet
from adapter_worker.spectral_shift import (
    SpectralMismatch,
    SpectralShifts,
    combine,
    factors_cheaper,
    is_spectral_file,
    load_or_build_svd,
    load_shifts,
    save_shifts,
)


@pytest.fixture(scope="module")
def unet() -> UNet2DConditionModel:
    return build_unet(TINY, seed=3).eval()


@pytest.fixture(scope="module")
def svd(unet: UNet2DConditionModel, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict, Path]:
    cache = tmp_path_factory.mktemp("svd")
    digest, layers = load_or_build_svd({"unet": unet}, cache)
    return digest, layers, cache


def _inputs(batch: int = 2) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    return (torch.randn(batch, 4, 8, 8, generator=g), torch.tensor([10] * batch),
            torch.randn(batch, 7, 32, generator=g))


def _out(unet: UNet2DConditionModel) -> torch.Tensor:
    x, t, ctx = _inputs()
    with torch.no_grad():
        return unet(x, t, ctx).sample


def _random_shifts(shifts: SpectralShifts, seed: int, scale: float = 0.5) -> None:
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in shifts.spectral.values():
            p.copy_(torch.randn(p.shape, generator=g) * scale)
        for p in shifts.norm.values():
            p.copy_(torch.randn(p.shape, generator=g) * 0.1)


def test_svd_is_cached_on_disk_per_base_model(unet: UNet2DConditionModel, svd: tuple[str, dict, Path],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    digest, layers, cache = svd
    files = list(cache.glob("svd-*.safetensors"))
    assert [f.name for f in files] == [f"svd-{digest}.safetensors"]

    def no_decompose(*_: object) -> None:
        raise AssertionError("the SVD was recomputed instead of read from the cache")

    with monkeypatch.context() as m:
        m.setattr(spectral_shift, "decompose", no_decompose)
        again_digest, again = load_or_build_svd({"unet": unet}, cache)  # read back, not recomputed
    assert again_digest == digest
    name = "unet.conv_in"
    assert torch.equal(again[name].S, layers[name].S)
    W = unet.conv_in.weight.reshape(unet.conv_in.weight.shape[0], -1)  # out x in*kh*kw
    s = layers[name]
    assert torch.allclose((s.U * s.S) @ s.Vh, W, atol=1e-5)
    other = build_unet(TINY, seed=4)
    assert load_or_build_svd({"unet": other}, cache)[0] != digest  # another base, another key


def test_delta_zero_reproduces_the_base_exactly(unet: UNet2DConditionModel, svd: tuple[str, dict, Path]) -> None:
    base = _out(unet)
    shifts = SpectralShifts({"unet": unet}, svd[1], svd[0])
    for policy in ("rebuild", "factors", "auto"):
        with shifts.attached(policy):  # type: ignore[arg-type]
            assert torch.equal(_out(unet), base), policy
    with shifts.merged():
        assert torch.equal(_out(unet), base)
    assert torch.equal(_out(unet), base)


def test_merged_and_factorised_forwards_agree(unet: UNet2DConditionModel, svd: tuple[str, dict, Path]) -> None:
    base = _out(unet)
    shifts = SpectralShifts({"unet": unet}, svd[1], svd[0])
    _random_shifts(shifts, seed=1)
    outs = {}
    for policy in ("rebuild", "factors", "auto"):
        with shifts.attached(policy) as patched:  # type: ignore[arg-type]
            outs[policy] = _out(unet)
            if policy == "auto":  # the per-layer rule picks both paths somewhere in this UNet
                used = set().union(*(p.used for p in patched.values()))
                assert used == {"rebuild", "factors"}
    before = {n: p.detach().clone() for n, p in unet.named_parameters()}
    with shifts.merged():
        outs["merged"] = _out(unet)
    assert all(torch.equal(before[n], p) for n, p in unet.named_parameters())  # unmerge is exact
    assert (outs["merged"] - base).abs().max() > 1e-3  # the shifts do something
    for policy in ("rebuild", "factors", "auto"):
        assert torch.allclose(outs[policy], outs["merged"], atol=1e-5, rtol=0), policy


def test_factorised_rule() -> None:
    # out 320, k 320 (a square projection): factors win below 160 tokens
    assert factors_cheaper(159, 320, 320) and not factors_cheaper(161, 320, 320)
    assert factors_cheaper(77 * 2, 1280, 1280) and not factors_cheaper(4096, 320, 2880)


def test_two_learning_rate_groups(unet: UNet2DConditionModel, svd: tuple[str, dict, Path]) -> None:
    shifts = SpectralShifts({"unet": unet}, svd[1], svd[0])
    groups = shifts.param_groups()
    assert [g["lr"] for g in groups] == [1e-3, 1e-6]
    assert sum(p.numel() for g in groups for p in g["params"]) == shifts.num_parameters()  # type: ignore[union-attr]


def test_file_round_trip_holds_only_delta(unet: UNet2DConditionModel, svd: tuple[str, dict, Path],
                                          tmp_path: Path) -> None:
    shifts = SpectralShifts({"unet": unet}, svd[1], svd[0])
    _random_shifts(shifts, seed=2)
    path = tmp_path / "a.safetensors"
    save_shifts(path, shifts.state(), "sd15", svd[0])
    data = path.read_bytes()
    header_len = struct.unpack("<Q", data[:8])[0]
    assert len(data) - 8 - header_len == 4 * shifts.num_parameters()  # fp32 δ and nothing else
    header = json.loads(data[8: 8 + header_len])
    assert header["__metadata__"]["base_model"] == "sd15" and is_spectral_file(path)
    state, meta = load_shifts(path)
    assert meta["base_hash"] == svd[0]
    other = SpectralShifts({"unet": unet}, svd[1], svd[0])
    other.load_state(state)
    for k, v in shifts.state().items():
        assert torch.equal(other.state()[k], v)
    assert torch.equal(_out_with(other, unet), _out_with(shifts, unet))


def _out_with(shifts: SpectralShifts, unet: UNet2DConditionModel) -> torch.Tensor:
    with shifts.merged():
        return _out(unet)


def test_mixing_alpha_one_is_the_first_adapter(unet: UNet2DConditionModel, svd: tuple[str, dict, Path]) -> None:
    a = SpectralShifts({"unet": unet}, svd[1], svd[0])
    b = SpectralShifts({"unet": unet}, svd[1], svd[0])
    _random_shifts(a, seed=5)
    _random_shifts(b, seed=6)
    mixed = combine([a.state(), b.state()], [1.0, 0.0])
    assert all(torch.equal(mixed[k], v) for k, v in a.state().items())
    half = combine([a.state(), b.state()], [0.5, 0.5])
    k = next(iter(half))
    assert torch.allclose(half[k], (a.state()[k] + b.state()[k]) / 2)


def test_adapter_for_another_base_model_is_refused(unet: UNet2DConditionModel, svd: tuple[str, dict, Path]) -> None:
    shifts = SpectralShifts({"unet": unet}, svd[1], svd[0])
    state = shifts.state()
    foreign = dict(state)
    foreign["unet.mid_block.attentions.0.proj_xl.spectral_shift"] = torch.zeros(8)
    with pytest.raises(SpectralMismatch, match=r"does not have: unet\.mid_block\.attentions\.0\.proj_xl"):
        shifts.load_state(foreign, "foreign.safetensors")
    resized = dict(state)
    resized["unet.conv_in.spectral_shift"] = torch.zeros(320)
    with pytest.raises(SpectralMismatch, match=r"another size: unet.conv_in.spectral_shift \(320,\)"):
        shifts.load_state(resized)
