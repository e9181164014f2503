"""X-Adapter mapping layers: the reference oracle (an independent re-implementation from the
paper's equations, with plain torch ops on the state dict), the released key layout, and the loader's
checks (other bases, corrupt files, pickles)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch
import torch.nn.functional as F
from diffusers import UNet2DConditionModel
from safetensors.torch import save_file

from adapter_worker.errors import ModelInvalid
from adapter_worker.xadapter import XAdapterMapping, load_mapping, mapping_flops, plan_levels, random_state
from adapter_worker.xadapter_pipeline import xadapter_hooks


def sd15_unet(widths: list[int]) -> Any:
    n = len(widths)
    return UNet2DConditionModel.from_config(dict(
        sample_size=8, in_channels=4, out_channels=4, block_out_channels=widths, layers_per_block=1,
        down_block_types=["CrossAttnDownBlock2D"] * (n - 1) + ["DownBlock2D"],
        up_block_types=["UpBlock2D"] + ["CrossAttnUpBlock2D"] * (n - 1),
        cross_attention_dim=32, attention_head_dim=8, norm_num_groups=8))


def sdxl_unet(widths: list[int]) -> Any:
    n = len(widths)
    return UNet2DConditionModel.from_config(dict(
        sample_size=16, in_channels=4, out_channels=4, block_out_channels=widths, layers_per_block=1,
        down_block_types=["DownBlock2D"] + ["CrossAttnDownBlock2D"] * (n - 1),
        up_block_types=["CrossAttnUpBlock2D"] * (n - 1) + ["UpBlock2D"],
        transformer_layers_per_block=[1] + [2] * (n - 1), cross_attention_dim=48, attention_head_dim=8,
        norm_num_groups=8, addition_embed_type="text_time", addition_time_embed_dim=8,
        projection_class_embeddings_input_dim=16 + 6 * 8))


def reference_mapping(state: dict[str, torch.Tensor], feature: torch.Tensor, level: int, upsample: bool,
                      size: tuple[int, int]) -> torch.Tensor:
    """Adapter_XL's level `level`, written out: three residual blocks, then the 1x1 zero conv.
    Block: [ConvTranspose 3x3/2 if upsampling] → [3x3 in_conv if widths differ] → x + c2(relu(c1(x)))."""
    x = feature
    for j in range(3):
        p = f"body.{level * 3 + j}."
        if j == 0 and upsample:
            x = F.conv_transpose2d(x, state[p + "up_opt.op.weight"], state[p + "up_opt.op.bias"],
                                   stride=2, padding=1, output_padding=1)
        if p + "in_conv.weight" in state:
            x = F.conv2d(x, state[p + "in_conv.weight"], state[p + "in_conv.bias"], padding=1)
        h = F.relu(F.conv2d(x, state[p + "block1.weight"], state[p + "block1.bias"], padding=1))
        x = x + F.conv2d(h, state[p + "block2.weight"], state[p + "block2.bias"], padding=1)
    x = F.conv2d(x, state[f"zero_out.{level}.weight"], state[f"zero_out.{level}.bias"])
    return x if tuple(x.shape[-2:]) == size else F.interpolate(x, size=size, mode="bilinear", align_corners=False)


# (SD 1.5 widths, SDXL widths, the paper's pairs: SD 1.5 up block -> SDXL site, SDXL site upsamples?)
GEOMETRIES = {
    # published topology at tiny widths: SD 1.5's last three up blocks -> SDXL mid, up 0, up 1
    "published": ([8, 16, 32, 32], [8, 16, 32], [(1, "mid", False), (2, "up0", False), (3, "up1", True)]),
    # the tiny model set's topology: two levels each
    "tiny": ([32, 64], [32, 64], [(0, "mid", False), (1, "up0", True)]),
}


@pytest.mark.parametrize("geometry", sorted(GEOMETRIES))
def test_one_step_equals_independent_reimplementation(geometry: str) -> None:
    torch.manual_seed(0)
    w15, wxl, pairs = GEOMETRIES[geometry]
    sd15, sdxl = sd15_unet(w15).eval(), sdxl_unet(wxl).eval()
    levels = plan_levels(w15, wxl)
    assert [(lv.source, lv.target.replace(".", ""), lv.upsample) for lv in levels] == pairs
    state = random_state(levels, seed=3, scale=0.1)
    mapping = XAdapterMapping(levels)
    mapping.load_state_dict(state)
    fusion = 0.7

    b = 2  # a CFG batch
    x15, xxl = torch.randn(b, 4, 8, 8), torch.randn(b, 4, 16, 16)  # SD 1.5 at half SDXL's size
    t = torch.tensor(500)
    kw15 = {"encoder_hidden_states": torch.randn(b, 5, 32)}
    kwxl = {"encoder_hidden_states": torch.randn(b, 5, 48),
            "added_cond_kwargs": {"text_embeds": torch.randn(b, 16), "time_ids": torch.randn(b, 6)}}

    with torch.no_grad():
        # the worker's forward: its hooks on both UNets, one step
        with xadapter_hooks(sd15, sdxl, mapping, fusion):
            got15 = sd15(x15, t, **kw15).sample
            gotxl = sdxl(xxl, t, **kwxl).sample

        # the oracle: plain UNets; SD 1.5's decoder outputs read off, mapped with plain ops, added
        feats: dict[int, torch.Tensor] = {}
        def keep(src: int) -> Any:
            def hook(_m: Any, _a: Any, out: torch.Tensor) -> None:
                feats[src] = out
            return hook

        grab = [sd15.up_blocks[src].register_forward_hook(keep(src)) for src, _, _ in pairs]
        want15 = sd15(x15, t, **kw15).sample
        for h in grab:
            h.remove()
        sites = {"mid": sdxl.mid_block, "up0": sdxl.up_blocks[0], "up1": sdxl.up_blocks[1]}

        def adder(level: int, src: int, up: bool) -> Any:
            return lambda _m, _a, out: out + fusion * reference_mapping(state, feats[src], level, up,
                                                                        tuple(out.shape[-2:]))

        add = [sites[site].register_forward_hook(adder(i, src, up)) for i, (src, site, up) in enumerate(pairs)]
        wantxl = sdxl(xxl, t, **kwxl).sample
        for h in add:
            h.remove()
        plain = sdxl(xxl, t, **kwxl).sample

    assert torch.equal(got15, want15)  # the SD 1.5 branch is only read
    assert (gotxl - wantxl).abs().max().item() < 1e-5
    assert (gotxl - plain).abs().max().item() > 1e-3  # the mapped features do change SDXL
    # the hooks are gone after the context
    assert all(not m._forward_hooks for m in [*sd15.up_blocks, sdxl.mid_block, *sdxl.up_blocks])


def test_published_shapes_and_key_layout() -> None:
    """`--arch` full-size channels give Adapter_XL's [1280, 640, 320] -> [1280, 1280, 640], 48 keys,
    the third level upsampling with a transposed conv; zero convs start at zero."""
    levels = plan_levels([320, 640, 1280, 1280], [320, 640, 1280])
    assert [(lv.in_channels, lv.out_channels, lv.upsample) for lv in levels] == \
        [(1280, 1280, False), (640, 1280, False), (320, 640, True)]
    with torch.device("meta"):
        sd = XAdapterMapping(levels).state_dict()
    assert len(sd) == 48
    assert tuple(sd["body.6.up_opt.op.weight"].shape) == (320, 320, 3, 3)
    assert tuple(sd["body.6.in_conv.weight"].shape) == (640, 320, 3, 3)
    assert tuple(sd["body.3.in_conv.weight"].shape) == (1280, 640, 3, 3)
    assert "body.0.in_conv.weight" not in sd and tuple(sd["zero_out.2.weight"].shape) == (640, 640, 1, 1)
    fresh = XAdapterMapping(plan_levels([32, 64], [32, 64]))
    assert all(not p.detach().any() for n, p in fresh.named_parameters() if n.startswith("zero_out"))
    # per step, batch 1, 1024² SDXL / 512² SD 1.5 (sources 32², 64², 64²)
    assert 1.7e12 < mapping_flops(levels, [(32, 32), (64, 64), (64, 64)]) < 1.9e12


@pytest.fixture(scope="module")
def unets() -> tuple[Any, Any]:
    return sd15_unet([32, 64]), sdxl_unet([32, 64])


def test_loader_reads_safetensors_and_weights_only_bin(tmp_path: Path, unets: Any) -> None:
    sd15, sdxl = unets
    state = random_state(plan_levels([32, 64], [32, 64]), seed=1)
    save_file(state, str(tmp_path / "m.safetensors"))
    torch.save({f"module.{k}": v for k, v in state.items()}, tmp_path / "X_Adapter_v1.bin")
    for name in ("m.safetensors", "X_Adapter_v1.bin"):
        m = load_mapping(tmp_path / name, sd15, sdxl, "a", "b")
        assert all(torch.equal(m.state_dict()[k], v) for k, v in state.items())
        assert not any(p.requires_grad for p in m.parameters())


class _Evil:
    def __reduce__(self) -> tuple[Any, ...]:
        return (print, ("pickle code ran",))


def test_loader_refuses_bad_files(tmp_path: Path, unets: Any) -> None:
    sd15, sdxl = unets
    # weights for other bases (the published full-size pairing on the tiny bases): names key and base
    big = {k: torch.zeros(v.shape) for k, v in
           XAdapterMapping(plan_levels([32, 64], [32, 128])).state_dict().items()}
    save_file(big, str(tmp_path / "other.safetensors"))
    with pytest.raises(ModelInvalid, match=r"body\.0\.block1\.weight has shape \[128, 128, 3, 3\] but SD 1\.5 base "
                                           r"'tiny-sd15' \+ SDXL base 'tiny-sdxl' need \[64, 64, 3, 3\]"
                                           r".*than the SDXL base 'tiny-sdxl' \(its mid block has 64"):
        load_mapping(tmp_path / "other.safetensors", sd15, sdxl, "tiny-sd15", "tiny-sdxl")
    wrong_in = {k: torch.zeros(v.shape) for k, v in
                XAdapterMapping(plan_levels([16, 64], [32, 64])).state_dict().items()}
    save_file(wrong_in, str(tmp_path / "in.safetensors"))
    with pytest.raises(ModelInvalid, match=r"body\.3\.up_opt\.op\.weight has shape \[16, 16, 3, 3\].*than "
                                           r"the SD 1\.5 base 'tiny-sd15' \(its up block 1 has 32 channels\)"):
        load_mapping(tmp_path / "in.safetensors", sd15, sdxl, "tiny-sd15", "tiny-sdxl")
    good = random_state(plan_levels([32, 64], [32, 64]))
    save_file({k: v for k, v in good.items() if k != "zero_out.1.bias"}, str(tmp_path / "short.safetensors"))
    with pytest.raises(ModelInvalid, match=r"missing \['zero_out\.1\.bias'\]"):
        load_mapping(tmp_path / "short.safetensors", sd15, sdxl, "a", "b")
    save_file(good, str(tmp_path / "cut.safetensors"))
    data = (tmp_path / "cut.safetensors").read_bytes()
    (tmp_path / "cut.safetensors").write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelInvalid, match=r"cut\.safetensors cannot be read"):
        load_mapping(tmp_path / "cut.safetensors", sd15, sdxl, "a", "b")
    torch.save({"body.0.block1.weight": _Evil()}, tmp_path / "evil.bin")
    with pytest.raises(ModelInvalid, match=r"evil\.bin cannot be read"):
        load_mapping(tmp_path / "evil.bin", sd15, sdxl, "a", "b")
    (tmp_path / "x.onnx").write_bytes(b"x")
    with pytest.raises(ModelInvalid, match=r"expected \.safetensors or \.bin"):
        load_mapping(tmp_path / "x.onnx", sd15, sdxl, "a", "b")
