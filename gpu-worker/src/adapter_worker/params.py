"""Parameters of the `generate` job (protocol `kind: "generate"`, schema version 1).

Image and file fields name entries of the job's `inputs` map (downloaded before the job runs),
never URLs or paths, so a job cannot make the worker read arbitrary files.
"""

from __future__ import annotations

from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SchedulerName = Literal["euler_a", "euler", "dpmpp_2m_karras", "dpmpp_2m", "ddim", "unipc", "pndm"]
PluginFamily = Literal["sd15", "sdxl"]  # a plugin's base family; None in a job: the base model's
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
    family: PluginFamily | None = None  # default: the base model's family

    @model_validator(mode="after")
    def _window(self) -> Self:
        if self.start >= self.end:
            raise ValueError(f"control `start` ({self.start}) must be below `end` ({self.end})")
        return self


class LoraRef(_Strict):
    file: str
    weight: float = Field(1.0, ge=-2.0, le=2.0)
    family: PluginFamily | None = None  # default: the base model's family


def _size8(value: int | None) -> int | None:
    if value is not None and value % 8:
        raise ValueError(f"{value} is not a multiple of 8")
    return value


class XAdapterParams(_Strict):
    """X-Adapter knobs (xadapter_pipeline.py): SD 1.5 plugins steering an SDXL base. Defaults from
    the authors' code (showlab/X-Adapter): `t0` = 1 - `adapter_guidance_start` of its canny
    script (0.8), `fusion` = `adapter_condition_scale` (1.0), SD 1.5 at half SDXL's size (512 for
    1024)."""

    name: str = Field("default", min_length=1, max_length=64)  # the registry's x_adapters entry
    t0: float = Field(0.2, ge=0.0, le=1.0)  # fraction of the steps SD 1.5 runs alone (stage one)
    fusion: float = Field(1.0, ge=0.0, le=3.0)  # scale of the mapped features added to SDXL's decoder
    guidance_scale: float | None = Field(None, ge=0.0, le=30.0)  # SD 1.5 branch CFG; None: the job's
    sd15_prompt: str | None = Field(None, max_length=4000)  # None: the job's prompt
    sd15_width: int | None = Field(None, ge=64, le=2048)  # None: half the SDXL width, rounded to 8
    sd15_height: int | None = Field(None, ge=64, le=2048)

    @field_validator("sd15_width", "sd15_height")
    @classmethod
    def _multiple_of_8(cls, value: int | None) -> int | None:
        return _size8(value)


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
    ip_adapter_family: PluginFamily | None = None  # the references' IP-Adapter family; None: the base's
    x_adapter: XAdapterParams | None = None  # knobs when SD 1.5 plugins run on an SDXL base
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


def _nonblank(value: str, what: str) -> str:
    if not value.strip():
        raise ValueError(f"{what} is empty")
    return value


class Subject(_Strict):
    """A second subject for Cut-Mix-Unmix: its own photos, prompt and the words naming it."""

    images: list[str] = Field(min_length=1, max_length=20)
    instance_prompt: str = Field(max_length=1000)
    token: str = Field(min_length=1, max_length=100)

    @model_validator(mode="after")
    def _check(self) -> Self:
        _nonblank(self.instance_prompt, "second_subject.instance_prompt")
        _nonblank(self.token, "second_subject.token")
        if self.token not in self.instance_prompt:
            raise ValueError(f"second_subject.token {self.token!r} does not appear in its instance_prompt")
        return self


class TrainParams(_Strict):
    """Parameters of the `train` job: a personal adapter (SVDiff spectral shifts or LoRA)."""

    base_model: str | None = None
    method: Literal["svdiff", "lora"] = "svdiff"
    rank: int = Field(4, ge=1, le=128)  # LoRA only
    images: list[str] = Field(min_length=1, max_length=20)
    instance_prompt: str = Field(max_length=1000)  # e.g. "a photo of sks dog"
    token: str | None = Field(None, max_length=100)  # words naming the subject ("sks dog"); Cut-Mix-Unmix needs it
    class_prompt: str | None = Field(None, max_length=1000)  # e.g. "a photo of a dog"
    prior_preservation: bool = False
    prior_loss_weight: float = Field(1.0, ge=0.0, le=10.0)
    num_class_images: int = Field(8, ge=1, le=200)
    second_subject: Subject | None = None
    cutmix_probability: float = Field(0.6, ge=0.0, le=1.0)
    unmix_weight: float = Field(1.0, ge=0.0, le=100.0)
    steps: int = Field(500, ge=1, le=5000)
    lr: float | None = Field(None, gt=0.0, le=1.0)  # None: 1e-3 (svdiff spectral shifts), 1e-4 (lora)
    lr_norm: float = Field(1e-6, ge=0.0, le=1.0)  # svdiff norm-weight shifts
    train_text_encoder: bool = False  # svdiff only
    seed: int | None = Field(None, ge=0, le=MAX_SEED)
    resolution: int = Field(512, ge=64, le=1024)
    num_samples: int = Field(2, ge=0, le=2)
    sample_prompt: str | None = Field(None, max_length=1000)
    sample_steps: int = Field(25, ge=1, le=150)
    guidance_scale: float = Field(7.5, ge=0.0, le=30.0)

    @field_validator("resolution")
    @classmethod
    def _res_multiple_of_8(cls, value: int) -> int:
        if value % 8:
            raise ValueError(f"{value} is not a multiple of 8")
        return value

    @model_validator(mode="after")
    def _check(self) -> Self:
        _nonblank(self.instance_prompt, "instance_prompt")
        if self.prior_preservation and not (self.class_prompt and self.class_prompt.strip()):
            raise ValueError("prior_preservation needs a non-empty class_prompt")
        if self.token is not None and self.token not in self.instance_prompt:
            raise ValueError(f"token {self.token!r} does not appear in instance_prompt")
        if self.second_subject is not None:
            if not self.token or not self.token.strip():
                raise ValueError("two subjects (Cut-Mix-Unmix) need `token` for the first one too")
            if self.token == self.second_subject.token:
                raise ValueError("the two subjects need different tokens")
        if self.train_text_encoder and self.method != "svdiff":
            raise ValueError("train_text_encoder is available with method svdiff only")
        return self

    @property
    def learning_rate(self) -> float:
        return self.lr if self.lr is not None else (1e-3 if self.method == "svdiff" else 1e-4)

    def input_names(self) -> set[str]:
        return set(self.images) | (set(self.second_subject.images) if self.second_subject else set())


class EditParams(_Strict):
    """Parameters of the `edit` job (CoSINE): one image, its sentence, the edited sentence."""

    base_model: str | None = None
    image: str
    source_prompt: str = Field(max_length=1000)  # describes the input image
    target_prompt: str = Field(max_length=1000)  # the edited sentence
    steps: int = Field(500, ge=1, le=2000)  # spectral-shift tuning steps
    lr: float = Field(1e-3, gt=0.0, le=1.0)
    lr_norm: float = Field(1e-6, ge=0.0, le=1.0)
    resolution: int = Field(512, ge=64, le=1024)
    inversion_steps: int = Field(50, ge=1, le=150)  # DDIM steps for inversion and for sampling
    guidance_scale: float = Field(7.5, ge=0.0, le=30.0)
    eta: float = Field(0.0, ge=0.0, le=1.0)  # DDIM η while sampling
    slerp_alpha: float = Field(0.0, ge=0.0, le=1.0)  # 0: the inverted latent; 1: fresh noise
    num_images: int = Field(1, ge=1, le=4)
    seed: int | None = Field(None, ge=0, le=MAX_SEED)

    @field_validator("resolution")
    @classmethod
    def _res_multiple_of_8(cls, value: int) -> int:
        if value % 8:
            raise ValueError(f"{value} is not a multiple of 8")
        return value

    @model_validator(mode="after")
    def _check(self) -> Self:
        _nonblank(self.source_prompt, "source_prompt")
        _nonblank(self.target_prompt, "target_prompt")
        return self

    def input_names(self) -> set[str]:
        return {self.image}


class TrainXAdapterParams(_Strict):
    """Parameters of the `train_xadapter` job (operators): the X-Adapter mapping layers for a pair of
    bases (xadapter_train.py). Captions go to both bases; `images` (input names, paired with
    `captions` in order, cycled) are the training pictures; without them each caption's picture is
    the SD 1.5 base's own sample for it."""

    sd15_base_model: str | None = None  # None: the registry's X-Adapter default pairing
    base_model: str | None = None  # the SDXL base
    captions: list[str] = Field(min_length=1, max_length=1000)
    images: list[str] = Field(default_factory=list, max_length=1000)
    steps: int = Field(1000, ge=1, le=100_000)
    lr: float = Field(1e-5, gt=0.0, le=1.0)  # AdamW, as the paper
    seed: int | None = Field(None, ge=0, le=MAX_SEED)
    resolution: int = Field(1024, ge=64, le=2048)  # SDXL side
    sd15_resolution: int | None = Field(None, ge=64, le=2048)  # None: half of `resolution`, rounded to 8

    @field_validator("resolution", "sd15_resolution")
    @classmethod
    def _res_multiple_of_8(cls, value: int | None) -> int | None:
        return _size8(value)

    @model_validator(mode="after")
    def _check(self) -> Self:
        for i, caption in enumerate(self.captions):
            _nonblank(caption, f"captions[{i}]")
        return self

    def input_names(self) -> set[str]:
        return set(self.images)
