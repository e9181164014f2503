"""Parameters of the `generate` job (protocol `kind: "generate"`, schema version 1).

Image and file fields name entries of the job's `inputs` map (downloaded before the job runs),
never URLs or paths, so a job cannot make the worker read arbitrary files.
"""

from __future__ import annotations

from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SchedulerName = Literal["euler_a", "euler", "dpmpp_2m_karras", "dpmpp_2m", "ddim", "unipc", "pndm"]
MAX_SEED = 2**63 - 1


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Reference(_Strict):
    """One IP-Adapter reference: an image to encode, or embeddings computed before (no encoder)."""

    image: str | None = None
    image_embeds: str | None = None
    weight: float = Field(1.0, ge=0.0, le=2.0)

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if (self.image is None) == (self.image_embeds is None):
            raise ValueError("a reference needs exactly one of `image` or `image_embeds`")
        return self


class Control(_Strict):
    """A spatial condition: ControlNet (runs every step) or T2I-Adapter (runs once)."""

    type: str = Field(min_length=1, max_length=64)
    image: str
    adapter: Literal["controlnet", "t2i_adapter"] = "controlnet"
    scale: float = Field(1.0, ge=0.0, le=2.0)
    start: float = Field(0.0, ge=0.0, le=1.0)
    end: float = Field(1.0, ge=0.0, le=1.0)
    preprocess: Literal["none", "canny"] = "none"
    canny_low: int = Field(100, ge=0, le=255)
    canny_high: int = Field(200, ge=0, le=255)

    @model_validator(mode="after")
    def _window(self) -> Self:
        if self.start >= self.end:
            raise ValueError(f"control `start` ({self.start}) must be below `end` ({self.end})")
        return self


class LoraRef(_Strict):
    file: str
    weight: float = Field(1.0, ge=-2.0, le=2.0)


class GenerateParams(_Strict):
    base_model: str | None = None
    prompt: str = Field(max_length=4000)
    negative_prompt: str = Field("", max_length=4000)
    seed: int | None = Field(None, ge=0, le=MAX_SEED)
    steps: int = Field(25, ge=1, le=150)
    guidance_scale: float = Field(7.5, ge=0.0, le=30.0)
    width: int = Field(512, ge=64, le=2048)
    height: int = Field(512, ge=64, le=2048)
    scheduler: SchedulerName = "euler_a"
    num_images: int = Field(1, ge=1, le=8)
    references: list[Reference] = Field(default_factory=list, max_length=4)
    ip_adapter: str = "base"
    controls: list[Control] = Field(default_factory=list, max_length=4)
    loras: list[LoraRef] = Field(default_factory=list, max_length=8)
    preview_every: int = Field(5, ge=0, le=150)  # 0: no previews

    @field_validator("width", "height")
    @classmethod
    def _multiple_of_8(cls, value: int) -> int:
        # The VAE downsamples 8x; other sizes would be silently cropped.
        if value % 8:
            raise ValueError(f"{value} is not a multiple of 8")
        return value

    @property
    def do_cfg(self) -> bool:
        """Classifier-free guidance runs (and doubles the batch) only when guidance > 1."""
        return self.guidance_scale > 1.0

    def input_names(self) -> set[str]:
        names = {r.image or r.image_embeds for r in self.references} | {c.image for c in self.controls}
        return {n for n in names if n} | {lo.file for lo in self.loras}
