"""What a job hands the worker loop to upload: files in slot order, plus the metadata record."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from .previews import png_bytes

SAFETENSORS_TYPE = "application/octet-stream"


@dataclass
class FileOutput:
    data: bytes
    content_type: str = "image/png"
    width: int | None = None  # images only
    height: int | None = None
    seed: int | None = None  # the seed that reproduces this image alone

    @classmethod
    def image(cls, image: Image.Image, seed: int) -> FileOutput:
        return cls(png_bytes(image), "image/png", image.width, image.height, seed)


@dataclass
class JobResult:
    files: list[FileOutput]
    metadata: dict[str, Any] = field(default_factory=dict)
