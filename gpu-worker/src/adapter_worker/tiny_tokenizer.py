"""A CLIP byte-level BPE tokenizer built from scratch (no hub): vocab.json + merges.txt.

The vocabulary is every byte symbol, alone and as a word ending (`</w>`), a handful of merges
for common English letter pairs, and CLIP's two special tokens. It tokenizes any text, which is
all the tiny and benchmark models need; the real SD 1.5 tokenizer is mounted from disk.
"""

from __future__ import annotations

import json
from pathlib import Path

BOS = "<|startoftext|>"
EOS = "<|endoftext|>"
_MERGES = ["t h", "th e</w>", "a n", "i n", "o n</w>", "e r", "a t", "r e", "o r", "e n"]


def _bytes_to_unicode() -> dict[int, str]:
    """GPT-2/CLIP mapping of bytes to printable unicode symbols (same table as openai/CLIP)."""
    printable = (
        list(range(ord("!"), ord("~") + 1))
        + list(range(ord("¡"), ord("¬") + 1))
        + list(range(ord("®"), ord("ÿ") + 1))
    )
    codes = printable[:]
    extra = 0
    for b in range(256):
        if b not in printable:
            printable.append(b)
            codes.append(256 + extra)
            extra += 1
    return dict(zip(printable, [chr(c) for c in codes], strict=True))


def build_vocab() -> tuple[dict[str, int], list[str]]:
    symbols = list(_bytes_to_unicode().values())
    tokens = symbols + [s + "</w>" for s in symbols]
    for merge in _MERGES:
        merged = merge.replace(" ", "")
        if merged not in tokens:
            tokens.append(merged)
    tokens += [BOS, EOS]
    return {tok: i for i, tok in enumerate(tokens)}, _MERGES


def write_tokenizer_files(folder: Path) -> dict[str, int]:
    """Write vocab.json/merges.txt; returns the special token ids the text encoder must know."""
    folder.mkdir(parents=True, exist_ok=True)
    vocab, merges = build_vocab()
    (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    (folder / "merges.txt").write_text("#version: 0.2\n" + "\n".join(merges) + "\n", encoding="utf-8")
    return {"bos_token_id": vocab[BOS], "eos_token_id": vocab[EOS], "pad_token_id": vocab[EOS]}
