"""X-Adapter mapping layers (Ran et al., "X-Adapter: Adding Universal Compatibility of Plugins for
Upgraded Diffusion Model", arXiv 2312.02238): the trainable network that takes a frozen SD 1.5
UNet's decoder features to SDXL's decoder, so SD 1.5 plugins steer SDXL without retraining.

Written from the paper and the authors' public code (showlab/X-Adapter, `model/adapter.py`
`Adapter_XL`, `model/unet_adapter.py`), not copied from it. What it fixes, and how it is generalised:

Levels (which features, where they go). The authors' SD 1.5 UNet returns the outputs of its
decoder (up) blocks 1..3 (`return_hidden_states`, "last three up blk in SD1.5": every up block but
the first), and SDXL adds the mapped features, in order, to the mid block's output and to the
outputs of its up blocks 0 and 1 (`up_block_additional_residual`, popped before the up blocks and
after each one). Generalised to two UNets of any depth: with `n` SD 1.5 up blocks and `m` SDXL up
blocks, `L = min(3, n, m)` levels; the sources are SD 1.5's last `L` up blocks, the targets the
last `L` of SDXL's sites (mid, up 0, ..., up m-2), i.e. every site but the final up block's output.
For the published shapes (`--arch` full size: SD 1.5 n=4, SDXL m=3) that is exactly the paper's
[1280, 640, 320] -> [1280, 1280, 640]; the tiny bases (2 levels each) map 2 levels.

Per level `i` the network is `nums_rb = 3` residual blocks then a 1x1 zero-initialised conv
(`zero_out.{i}`), keys `body.{i*3+j}.*`. Block j of level i (in channels c_in, out c_out):

    x = ConvTranspose2d(c_in, c_in, 3, stride 2, padding 1)(x)   if j == 0 and the level upsamples
    x = Conv2d(c_in, c_out, 3, padding 1)(x)                     if j == 0 and c_in != c_out (in_conv)
    y = x + Conv2d(c_out, c_out, 3)(ReLU(Conv2d(c_out, c_out, 3)(x)))      (block1, block2)

A level upsamples when its SDXL site has twice the resolution of its SD 1.5 source with SD 1.5
running at half SDXL's size, as in the paper (512 vs 1024): the published third level (320@64 ->
640@128). Upsampling uses the natural size 2*h (ConvTranspose2d `output_size`); when the SD 1.5
branch runs at another size than half, the mapped feature is resized (bilinear) to the site's size.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from .errors import ModelInvalid

NUMS_RB = 3  # residual blocks per level (Adapter_XL's nums_rb)
MAX_LEVELS = 3  # the paper's "last three decoder blocks"


@dataclass(frozen=True)
class Level:
    """One mapping level: SD 1.5 up block `source` -> SDXL site `target` ('mid' or 'up.{k}')."""

    source: int  # index into the SD 1.5 UNet's up_blocks
    target: str  # "mid" or "up.{k}" of the SDXL UNet
    in_channels: int
    out_channels: int
    upsample: bool


def _decoder_scales(n_levels: int) -> list[int]:
    """Downscale factor (vs the latent) of each up block's output for a UNet with n levels: every
    up block but the last ends with a 2x upsampler; the mid block sits at 2**(n-1)."""
    return [2 ** max(n_levels - 2 - j, 0) for j in range(n_levels)]


def plan_levels(sd15_channels: list[int] | tuple[int, ...], sdxl_channels: list[int] | tuple[int, ...]) -> list[Level]:
    """The levels for two UNets given their `block_out_channels` (encoder order, as in configs).

    Raises ModelInvalid when the geometry cannot pair (a source/target resolution ratio other than
    1 or 2 with SD 1.5 at half size)."""
    n, m = len(sd15_channels), len(sdxl_channels)
    if n < 2 or m < 2:
        raise ModelInvalid(f"X-Adapter needs UNets with at least 2 levels (sd15 has {n}, sdxl has {m})")
    count = min(MAX_LEVELS, n, m)
    src_ch, tgt_ch = list(reversed(sd15_channels)), list(reversed(sdxl_channels))
    src_scale = _decoder_scales(n)
    # SDXL sites: mid (channels of the deepest level, scale 2**(m-1)), then up blocks 0..m-2
    sites = [("mid", tgt_ch[0], 2 ** (m - 1))] + [(f"up.{k}", tgt_ch[k], _decoder_scales(m)[k]) for k in range(m - 1)]
    levels = []
    for i, (target, out_c, tgt_scale) in enumerate(sites[-count:]):
        source = n - count + i
        ratio = 2 * src_scale[source] / tgt_scale  # source at half size: its pixels are 2x larger
        if ratio not in (1, 2):
            raise ModelInvalid(f"X-Adapter cannot pair SD 1.5 up block {source} (1/{src_scale[source]} of its latent) "
                               f"with SDXL {target} (1/{tgt_scale})")
        levels.append(Level(source, target, src_ch[source], out_c, ratio == 2))
    return levels


class _Upsample(nn.Module):
    def __init__(self, channels: int) -> None:
        super().__init__()
        self.op = nn.ConvTranspose2d(channels, channels, 3, stride=2, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h, w = x.shape[-2:]
        return self.op(x, output_size=[2 * h, 2 * w])


class _ResBlock(nn.Module):
    def __init__(self, in_c: int, out_c: int, upsample: bool) -> None:
        super().__init__()
        self.up_opt = _Upsample(in_c) if upsample else None
        self.in_conv = nn.Conv2d(in_c, out_c, 3, 1, 1) if in_c != out_c else None
        self.block1 = nn.Conv2d(out_c, out_c, 3, 1, 1)
        self.block2 = nn.Conv2d(out_c, out_c, 3, 1, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.up_opt is not None:
            x = self.up_opt(x)
        if self.in_conv is not None:
            x = self.in_conv(x)
        return x + self.block2(F.relu(self.block1(x)))


class XAdapterMapping(nn.Module):
    """The mapping layers, in the released key layout (`body.{idx}.…`, `zero_out.{i}.…`)."""

    def __init__(self, levels: list[Level], nums_rb: int = NUMS_RB) -> None:
        super().__init__()
        self.levels = levels
        self.nums_rb = nums_rb
        body: list[nn.Module] = []
        for lv in levels:
            for j in range(nums_rb):
                body.append(_ResBlock(lv.in_channels if j == 0 else lv.out_channels, lv.out_channels,
                                      upsample=lv.upsample and j == 0))
        self.body = nn.ModuleList(body)
        zero_out = [nn.Conv2d(lv.out_channels, lv.out_channels, 1) for lv in levels]
        for conv in zero_out:  # zero-initialised, as the paper: training starts from plain SDXL
            nn.init.zeros_(conv.weight)
            nn.init.zeros_(conv.bias)  # pyright: ignore[reportArgumentType]
        self.zero_out = nn.ModuleList(zero_out)

    def level_forward(self, i: int, feature: torch.Tensor, size: tuple[int, int] | None = None) -> torch.Tensor:
        """Mapped feature of level i; resized (bilinear) to `size` when the grids differ."""
        x = feature
        for j in range(self.nums_rb):
            x = self.body[i * self.nums_rb + j](x)
        x = self.zero_out[i](x)
        if size is not None and tuple(x.shape[-2:]) != tuple(size):
            x = F.interpolate(x, size=size, mode="bilinear", align_corners=False)
        return x

    def forward(self, features: list[torch.Tensor]) -> list[torch.Tensor]:
        return [self.level_forward(i, f) for i, f in enumerate(features)]


def expected_shapes(levels: list[Level], nums_rb: int = NUMS_RB) -> dict[str, tuple[int, ...]]:
    return {k: tuple(v.shape) for k, v in XAdapterMapping(levels, nums_rb).to("meta").state_dict().items()}


def read_state(path: Path) -> dict[str, torch.Tensor]:
    """A mapping-layer file: `.safetensors`, or the released torch pickle (`X_Adapter_v1.bin`, a flat
    state dict) read with `torch.load(weights_only=True)` so it cannot run code."""
    try:
        if path.suffix == ".safetensors":
            from safetensors.torch import load_file
            state = load_file(str(path))
        elif path.suffix in (".bin", ".pt", ".pth", ".ckpt"):
            state = torch.load(str(path), map_location="cpu", weights_only=True)
        else:
            raise ModelInvalid(f"X-Adapter file {path}: expected .safetensors or .bin")
    except ModelInvalid:
        raise
    except Exception as err:  # truncated, not a checkpoint at all, pickle with code in it
        raise ModelInvalid(f"X-Adapter file {path} cannot be read: {type(err).__name__}: {err}") from err
    if isinstance(state, dict) and "state_dict" in state and isinstance(state["state_dict"], dict):
        state = state["state_dict"]
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise ModelInvalid(f"X-Adapter file {path} is not a flat state dict of tensors")
    return {str(k).removeprefix("module."): v for k, v in state.items()}


def _culprit(key: str, got: tuple[int, ...], want: tuple[int, ...], lv: Level, sd15_name: str,
             sdxl_name: str) -> str:
    """Which base a mismatching tensor belongs to: a mapping level's input side is SD 1.5's decoder
    (up_opt, and in_conv's input dimension), everything else SDXL's decoder width."""
    parts = key.split(".")
    sub = parts[2] if parts[0] == "body" and len(parts) > 2 else ""
    if sub == "up_opt" or (sub == "in_conv" and len(got) == 4 and got[0] == want[0]):
        return f"SD 1.5 base {sd15_name!r} (its up block {lv.source} has {lv.in_channels} channels)"
    return f"SDXL base {sdxl_name!r} (its {lv.target} block has {lv.out_channels} channels)"


def check_state(state: dict[str, torch.Tensor], levels: list[Level], path: Path, sd15_name: str,
                sdxl_name: str) -> None:
    """Every key present with the shape the two bases need; the error names the key and the base."""
    want = expected_shapes(levels)
    pair = f"SD 1.5 base {sd15_name!r} + SDXL base {sdxl_name!r}"
    missing = [k for k in want if k not in state]
    extra = sorted(set(state) - set(want))
    for key in want:  # module order, weights before biases
        if key not in state:
            continue
        got = tuple(state[key].shape)
        if got != want[key]:
            index = int(key.split(".")[1])
            lv = levels[index // NUMS_RB] if key.startswith("body.") else levels[index]
            culprit = _culprit(key, got, want[key], lv, sd15_name, sdxl_name)
            raise ModelInvalid(f"X-Adapter file {path}: {key} has shape {list(got)} but {pair} need "
                               f"{list(want[key])}: the file was made for another base than the {culprit}")
    for key in extra:  # a level that changes width in the file but not between these bases
        if key.endswith("in_conv.weight") and state[key].ndim == 4:
            lv = levels[int(key.split(".")[1]) // NUMS_RB]
            raise ModelInvalid(f"X-Adapter file {path}: {key} maps {state[key].shape[1]} to {state[key].shape[0]} "
                               f"channels but {pair} need {lv.in_channels} to {lv.out_channels}: the file was made "
                               f"for other bases than SD 1.5 base {sd15_name!r} (its up block {lv.source} has "
                               f"{lv.in_channels} channels) and SDXL base {sdxl_name!r}")
    if missing or extra:
        raise ModelInvalid(f"X-Adapter file {path} does not fit {pair} ({len(levels)} levels): "
                           f"missing {missing[:4]}{'…' if len(missing) > 4 else ''}, "
                           f"unexpected {extra[:4]}{'…' if len(extra) > 4 else ''}")


def unet_channels(unet: Any) -> list[int]:
    return list(unet.config.block_out_channels)


def load_mapping(path: Path, sd15_unet: Any, sdxl_unet: Any, sd15_name: str, sdxl_name: str,
                 device: torch.device | str = "cpu", dtype: torch.dtype = torch.float32) -> XAdapterMapping:
    """Read, check against both bases, and build the mapping network (frozen, eval mode)."""
    levels = plan_levels(unet_channels(sd15_unet), unet_channels(sdxl_unet))
    state = read_state(path)
    check_state(state, levels, path, sd15_name, sdxl_name)
    mapping = XAdapterMapping(levels)
    mapping.load_state_dict(state)
    mapping.requires_grad_(False).eval()
    return mapping.to(device=device, dtype=dtype)


def random_state(levels: list[Level], seed: int = 0, scale: float = 0.05) -> dict[str, torch.Tensor]:
    """Random non-zero weights in the released layout (tiny model sets, tests), zero convs included."""
    gen = torch.Generator().manual_seed(seed)
    return {k: (torch.randn(v.shape, generator=gen) * scale).contiguous()
            for k, v in XAdapterMapping(levels).state_dict().items()}


def mapping_flops(levels: list[Level], sizes: list[tuple[int, int]], batch: int = 1) -> int:
    """Multiply-adds x2 of one mapping forward for the given SD 1.5 source sizes (per level)."""
    total = 0
    for lv, (h, w) in zip(levels, sizes, strict=True):
        cin, cout = lv.in_channels, lv.out_channels
        if lv.upsample:
            total += 2 * cin * cin * 9 * h * w  # transposed conv: each input pixel meets 9 taps
            h, w = 2 * h, 2 * w
        if cin != cout:
            total += 2 * cin * cout * 9 * h * w
        total += NUMS_RB * 2 * (2 * cout * cout * 9 * h * w)  # block1 + block2
        total += 2 * cout * cout * h * w  # zero_out
    return total * batch


def write_random_xadapter(path: Path, sd15_channels: list[int], sdxl_channels: list[int], seed: int,
                          sd15_name: str, sdxl_name: str) -> None:
    """A random non-zero mapping file in the released layout (the model factory's `x-adapter`)."""
    from safetensors.torch import save_file

    state = random_state(plan_levels(sd15_channels, sdxl_channels), seed)
    save_file(state, str(path), metadata={"format": "x-adapter", "sd15_base": sd15_name, "sdxl_base": sdxl_name})
