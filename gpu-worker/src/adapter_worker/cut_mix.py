"""Cut-Mix-Unmix (SVDiff paper §3.3): two personal subjects in one model without blending.

Cut-Mix: a training image is made by joining one image of each subject side by side — the centre
half-width strip of each square image, so neither is squeezed — and its prompt names both and
their sides: "a photo of <A> on the left and <B> on the right". Which subject goes left is drawn
at random; a collage replaces the plain single-subject example with probability 0.6.

Unmix: while the UNet denoises a collage, each subject's tokens should attend only to their own
half. With A the cross-attention probabilities of one layer (per head, per latent position, per
text token) and M_s the mask of the half that does *not* belong to subject s,

    L_unmix = mean over layers, heads, subjects s, tokens t of s:  mean_positions (A[:, t] · M_s)²

which is zero exactly when every subject token's attention stays in its half, and grows with
the attention mass that crosses over. It is added to the denoising loss with a small weight.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import torch
from diffusers.models.attention_processor import Attention, AttnProcessor
from PIL import Image

CUTMIX_PROBABILITY = 0.6


@dataclass(frozen=True)
class Collage:
    image: Image.Image
    prompt: str
    left: int  # index of the subject on the left (0 or 1)
    picks: tuple[int, int] = (0, 0)  # which image of subject 0 and of subject 1


def collage(left: Image.Image, right: Image.Image, left_name: str, right_name: str) -> Collage:
    """Join the centre half-width strips of two square images (same size) side by side."""
    if left.size != right.size or left.width != left.height:
        raise ValueError(f"collage needs two square images of one size, got {left.size} and {right.size}")
    size = left.width
    half = size // 2
    x0 = (size - half) // 2
    out = Image.new("RGB", (size, size))
    out.paste(left.crop((x0, 0, x0 + half, size)), (0, 0))
    out.paste(right.crop((x0, 0, x0 + half, size)), (half, 0))
    return Collage(out, collage_prompt(left_name, right_name), 0)


def collage_prompt(left_name: str, right_name: str) -> str:
    return f"a photo of {left_name} on the left and {right_name} on the right"


def random_collage(rng: random.Random, images: Sequence[Sequence[Image.Image]], names: Sequence[str]) -> Collage:
    """One image of each subject, sides drawn at random."""
    i, j = rng.randrange(len(images[0])), rng.randrange(len(images[1]))
    a, b = images[0][i], images[1][j]
    if rng.random() < 0.5:
        c = collage(a, b, names[0], names[1])
        return Collage(c.image, c.prompt, 0, (i, j))
    c = collage(b, a, names[1], names[0])
    return Collage(c.image, c.prompt, 1, (i, j))


def token_positions(tokenizer: Any, prompt: str, name: str) -> list[int]:
    """Positions (in the padded, BOS-first token sequence of `prompt`) of the tokens of `name`."""
    ids = tokenizer(prompt, truncation=True, max_length=tokenizer.model_max_length).input_ids
    sub = tokenizer(name, add_special_tokens=False).input_ids
    for i in range(len(ids) - len(sub) + 1):
        if ids[i: i + len(sub)] == sub:
            return list(range(i, i + len(sub)))
    raise ValueError(f"{name!r} does not appear in the prompt {prompt!r} after tokenization")


def other_half_mask(height: int, width: int, own_side: str, device: torch.device | None = None) -> torch.Tensor:
    """Flattened (height·width) mask that is 1 on the half the subject must *not* attend to."""
    mask = torch.zeros(height, width, device=device)
    half = width // 2
    if own_side == "left":
        mask[:, half:] = 1.0
    else:
        mask[:, :half] = 1.0
    return mask.reshape(-1)


def unmix_loss(maps: Sequence[torch.Tensor], latent_hw: tuple[int, int],
               tokens: Sequence[Sequence[int]], sides: Sequence[str]) -> torch.Tensor:
    """L_unmix over captured cross-attention maps (module doc).

    maps: per layer, [batch·heads, positions, text tokens] (one collage per batch entry, all with
    the same token positions); tokens[s]: subject s's positions in the prompt; sides[s]: "left" or
    "right". A layer's positions form an (H/f)×(W/f) grid of the latent (H, W).
    """
    terms: list[torch.Tensor] = []
    for a in maps:
        positions = a.shape[1]
        h, w = latent_hw
        f = 1
        while (h // f) * (w // f) > positions:
            f *= 2
        gh, gw = h // f, w // f
        if gh * gw != positions:
            raise ValueError(f"attention map with {positions} positions does not fit the latent {latent_hw}")
        for toks, side in zip(tokens, sides, strict=True):
            mask = other_half_mask(gh, gw, side, a.device).to(a.dtype)
            crossing = a[:, :, list(toks)] * mask[None, :, None]
            terms.append(crossing.pow(2).mean())
    if not terms:
        return torch.zeros(())
    return torch.stack(terms).mean()


class _Capture:
    def __init__(self) -> None:
        self.maps: list[torch.Tensor] = []
        self.enabled = False


@contextmanager
def capture_cross_attention(unet: torch.nn.Module) -> Iterator[_Capture]:
    """Route every cross-attention layer (`attn2`) through the explicit-softmax processor and keep
    its probabilities ([batch·heads, positions, tokens]) while `capture.enabled`; restore after."""
    store = _Capture()
    layers = [m for n, m in unet.named_modules() if n.endswith("attn2") and isinstance(m, Attention)]
    before = [(m, m.processor) for m in layers]
    try:
        for m in layers:
            m.set_processor(AttnProcessor())
            original = m.get_attention_scores

            def scores(query: torch.Tensor, key: torch.Tensor, attention_mask: torch.Tensor | None = None,
                       _orig: Any = original) -> torch.Tensor:
                probs = _orig(query, key, attention_mask)
                if store.enabled:
                    store.maps.append(probs)
                return probs

            m.get_attention_scores = scores  # type: ignore[method-assign]
        yield store
    finally:
        for m, proc in before:
            if "get_attention_scores" in m.__dict__:
                del m.get_attention_scores
            m.set_processor(proc)
