"""Architecture configs for the model factory, written inline so nothing comes from a hub.

`SD15` holds the published Stable Diffusion 1.5 shapes (runwayml/stable-diffusion-v1-5,
lllyasviel/control_v11p_sd15_canny, TencentARC/t2iadapter_canny_sd15v2, h94/IP-Adapter with
the laion ViT-H/14 image encoder). `TINY` keeps the same topology at sizes that run in
milliseconds on a CPU: VAE still downsamples 8x, so a 64x64 image is an 8x8 latent, as in SD.

`SDXL` holds the published Stable Diffusion XL base 1.0 shapes (stabilityai/stable-diffusion-xl-
base-1.0: two text encoders, CLIP ViT-L + OpenCLIP bigG with projection, cross_attention_dim
768 + 1280 = 2048, `text_time` micro-conditioning whose input is 1280 pooled + 6 x 256 time ids
= 2816; diffusers/controlnet-canny-sdxl-1.0; TencentARC/t2i-adapter-canny-sdxl-1.0
(`full_adapter_xl`); h94/IP-Adapter sdxl_models with the ViT-bigG/14 encoder, and the "plus
vit-h" resampler of width 1280). `TINY_SDXL` is the same topology (three UNet levels, the first
without attention, transformer depth growing per level, two text encoders) at CPU size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ArchSet:
    name: str
    unet: dict[str, Any]
    vae: dict[str, Any]
    text_encoder: dict[str, Any]
    controlnet_extra: dict[str, Any]
    t2i_adapter: dict[str, Any]
    image_encoder: dict[str, Any]
    image_size: int  # default generation size in pixels
    # Resampler ("Plus") shape; heads = inner // 64 is how diffusers reads it back.
    plus_heads: int
    plus_queries: int = 16
    plus_depth: int = 4
    family: str = "sd15"
    plus_dim: int | None = None  # resampler width; None = cross_attention_dim (SD 1.5 plus)
    text_encoder_2: dict[str, Any] | None = None  # SDXL: OpenCLIP bigG with projection
    scheduler_class: str = "PNDMScheduler"
    scheduler: dict[str, Any] = field(
        default_factory=lambda: {
            "beta_start": 0.00085,
            "beta_end": 0.012,
            "beta_schedule": "scaled_linear",
            "num_train_timesteps": 1000,
            "set_alpha_to_one": False,
            "skip_prk_steps": True,
            "steps_offset": 1,
        }
    )


_SD15_DOWN = ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"]
_SD15_UP = ["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"]
_SD15_UNET_COMMON: dict[str, Any] = {
    "in_channels": 4,
    "block_out_channels": [320, 640, 1280, 1280],
    "layers_per_block": 2,
    "down_block_types": _SD15_DOWN,
    "cross_attention_dim": 768,
    "attention_head_dim": 8,
    "norm_num_groups": 32,
    "downsample_padding": 1,
    "flip_sin_to_cos": True,
    "freq_shift": 0,
}

SD15 = ArchSet(
    name="sd15",
    unet={**_SD15_UNET_COMMON, "sample_size": 64, "out_channels": 4, "up_block_types": _SD15_UP},
    vae={
        "in_channels": 3,
        "out_channels": 3,
        "block_out_channels": [128, 256, 512, 512],
        "down_block_types": ["DownEncoderBlock2D"] * 4,
        "up_block_types": ["UpDecoderBlock2D"] * 4,
        "latent_channels": 4,
        "layers_per_block": 2,
        "norm_num_groups": 32,
        "sample_size": 512,
        "scaling_factor": 0.18215,
    },
    text_encoder={
        "vocab_size": 49408,
        "hidden_size": 768,
        "intermediate_size": 3072,
        "num_attention_heads": 12,
        "num_hidden_layers": 12,
        "max_position_embeddings": 77,
        "hidden_act": "quick_gelu",
        "projection_dim": 768,
    },
    controlnet_extra={**_SD15_UNET_COMMON, "conditioning_embedding_out_channels": [16, 32, 96, 256]},
    t2i_adapter={"in_channels": 3, "channels": [320, 640, 1280, 1280], "num_res_blocks": 2,
                 "downscale_factor": 8, "adapter_type": "full_adapter"},
    image_encoder={
        "hidden_size": 1280,
        "intermediate_size": 5120,
        "num_attention_heads": 16,
        "num_hidden_layers": 32,
        "patch_size": 14,
        "image_size": 224,
        "projection_dim": 1024,
        "hidden_act": "gelu",
        "layer_norm_eps": 1e-5,
    },
    image_size=512,
    plus_heads=12,
)

_TINY_DOWN = ["CrossAttnDownBlock2D", "DownBlock2D"]
_TINY_UNET_COMMON: dict[str, Any] = {
    "in_channels": 4,
    "block_out_channels": [32, 64],
    "layers_per_block": 1,
    "down_block_types": _TINY_DOWN,
    "cross_attention_dim": 32,
    "attention_head_dim": 8,
    "norm_num_groups": 16,
}

TINY = ArchSet(
    name="tiny",
    unet={**_TINY_UNET_COMMON, "sample_size": 8, "out_channels": 4,
          "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D"]},
    vae={
        "in_channels": 3,
        "out_channels": 3,
        "block_out_channels": [8, 16, 16, 16],
        "down_block_types": ["DownEncoderBlock2D"] * 4,
        "up_block_types": ["UpDecoderBlock2D"] * 4,
        "latent_channels": 4,
        "layers_per_block": 1,
        "norm_num_groups": 8,
        "sample_size": 64,
        "scaling_factor": 0.18215,
    },
    text_encoder={
        "vocab_size": 1000,
        "hidden_size": 32,
        "intermediate_size": 37,
        "num_attention_heads": 4,
        "num_hidden_layers": 2,
        "max_position_embeddings": 77,
        "hidden_act": "quick_gelu",
        "projection_dim": 32,
    },
    controlnet_extra={**_TINY_UNET_COMMON, "conditioning_embedding_out_channels": [8, 8, 16, 16]},
    t2i_adapter={"in_channels": 3, "channels": [32, 64], "num_res_blocks": 1,
                 "downscale_factor": 8, "adapter_type": "full_adapter"},
    image_encoder={
        "hidden_size": 32,
        "intermediate_size": 37,
        "num_attention_heads": 4,
        "num_hidden_layers": 2,
        "patch_size": 8,
        "image_size": 32,
        "projection_dim": 16,
        "hidden_act": "gelu",
        "layer_norm_eps": 1e-5,
    },
    image_size=64,
    plus_heads=1,
)

_SDXL_DOWN = ["DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"]
_SDXL_UP = ["CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"]
_SDXL_SCHEDULER: dict[str, Any] = {  # EulerDiscreteScheduler, as shipped with SDXL base 1.0
    "beta_start": 0.00085, "beta_end": 0.012, "beta_schedule": "scaled_linear", "num_train_timesteps": 1000,
    "steps_offset": 1, "timestep_spacing": "leading", "prediction_type": "epsilon",
    "interpolation_type": "linear", "use_karras_sigmas": False,
}
_SDXL_UNET_COMMON: dict[str, Any] = {
    "in_channels": 4,
    "block_out_channels": [320, 640, 1280],
    "layers_per_block": 2,
    "down_block_types": _SDXL_DOWN,
    "cross_attention_dim": 2048,
    "attention_head_dim": [5, 10, 20],  # diffusers reads this as the number of heads (64-wide)
    "transformer_layers_per_block": [1, 2, 10],
    "use_linear_projection": True,
    "addition_embed_type": "text_time",
    "addition_time_embed_dim": 256,
    "projection_class_embeddings_input_dim": 2816,  # 1280 pooled text + 6 time ids x 256
    "norm_num_groups": 32,
    "downsample_padding": 1,
    "flip_sin_to_cos": True,
    "freq_shift": 0,
}

SDXL = ArchSet(
    name="sdxl",
    family="sdxl",
    unet={**_SDXL_UNET_COMMON, "sample_size": 128, "out_channels": 4, "up_block_types": _SDXL_UP},
    vae={**SD15.vae, "sample_size": 1024, "scaling_factor": 0.13025, "force_upcast": True},
    text_encoder=SD15.text_encoder,
    text_encoder_2={
        "vocab_size": 49408,
        "hidden_size": 1280,
        "intermediate_size": 5120,
        "num_attention_heads": 20,
        "num_hidden_layers": 32,
        "max_position_embeddings": 77,
        "hidden_act": "gelu",
        "projection_dim": 1280,
    },
    controlnet_extra={**_SDXL_UNET_COMMON, "conditioning_embedding_out_channels": [16, 32, 96, 256]},
    t2i_adapter={"in_channels": 3, "channels": [320, 640, 1280, 1280], "num_res_blocks": 2,
                 "downscale_factor": 16, "adapter_type": "full_adapter_xl"},
    image_encoder={  # OpenCLIP ViT-bigG/14 (h94/IP-Adapter sdxl_models/image_encoder)
        "hidden_size": 1664,
        "intermediate_size": 8192,
        "num_attention_heads": 16,
        "num_hidden_layers": 48,
        "patch_size": 14,
        "image_size": 224,
        "projection_dim": 1280,
        "hidden_act": "gelu",
        "layer_norm_eps": 1e-5,
    },
    image_size=1024,
    plus_heads=20,
    plus_dim=1280,
    scheduler=_SDXL_SCHEDULER,
    scheduler_class="EulerDiscreteScheduler",
)

_TINY_SDXL_UNET_COMMON: dict[str, Any] = {
    "in_channels": 4,
    "block_out_channels": [32, 64, 64],
    "layers_per_block": 1,
    "down_block_types": _SDXL_DOWN,
    "cross_attention_dim": 80,  # 32 (text_encoder) + 48 (text_encoder_2)
    "attention_head_dim": [2, 4, 4],
    "transformer_layers_per_block": [1, 1, 2],
    "use_linear_projection": True,
    "addition_embed_type": "text_time",
    "addition_time_embed_dim": 8,
    "projection_class_embeddings_input_dim": 96,  # 48 pooled text + 6 time ids x 8
    "norm_num_groups": 16,
}

TINY_SDXL = ArchSet(
    name="tiny",
    family="sdxl",
    unet={**_TINY_SDXL_UNET_COMMON, "sample_size": 8, "out_channels": 4, "up_block_types": _SDXL_UP},
    vae={**TINY.vae, "scaling_factor": 0.13025, "force_upcast": True},
    text_encoder=TINY.text_encoder,
    text_encoder_2={
        "vocab_size": 1000,
        "hidden_size": 48,
        "intermediate_size": 64,
        "num_attention_heads": 4,
        "num_hidden_layers": 2,
        "max_position_embeddings": 77,
        "hidden_act": "gelu",
        "projection_dim": 48,
    },
    controlnet_extra={**_TINY_SDXL_UNET_COMMON, "conditioning_embedding_out_channels": [8, 8, 16, 16]},
    t2i_adapter={"in_channels": 3, "channels": [32, 64, 64, 64], "num_res_blocks": 1,
                 "downscale_factor": 16, "adapter_type": "full_adapter_xl"},
    image_encoder={  # the tiny `vit-bigg`: other widths than the tiny `vit-h`, so a mix-up fails
        "hidden_size": 48,
        "intermediate_size": 64,
        "num_attention_heads": 4,
        "num_hidden_layers": 2,
        "patch_size": 8,
        "image_size": 32,
        "projection_dim": 24,
        "hidden_act": "gelu",
        "layer_norm_eps": 1e-5,
    },
    image_size=64,
    plus_heads=1,
    plus_dim=32,
    scheduler=_SDXL_SCHEDULER,
    scheduler_class="EulerDiscreteScheduler",
)

ARCHS: dict[str, ArchSet] = {"tiny": TINY, "sd15": SD15, "sdxl": SDXL}
# `--arch tiny` writes the tiny SD 1.5 set and this SDXL companion into one models.json.
SDXL_COMPANION: dict[str, ArchSet] = {"tiny": TINY_SDXL}
