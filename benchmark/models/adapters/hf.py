"""In-process Hugging Face ``transformers`` adapter: Qwen2-VL / Qwen2.5-VL (image in), or a
text-only causal LM (OCR text in).

- Source: ``checkpoint`` (a local folder), else ``model_id`` (a local folder or a hub id that
  must already be in the local HF cache: ``HF_HUB_OFFLINE=1`` is set while loading unless
  ``options.offline: false``). A PEFT adapter folder is merged into its base.
- Device / dtype: ``options.device`` (auto: cuda when available) and ``options.dtype`` (auto:
  bfloat16 on cuda, float32 on cpu); ``options.attn_implementation``, ``options.device_map``.
- Images: Qwen's image processor (the PIL one, which needs no torchvision) with
  ``image.max_pixels`` / ``image.min_pixels``; no video processor.
- Batching: prompts arriving within ``options.batch_wait_ms`` (10) are generated together, up to
  ``options.batch_size`` (default: the spec's concurrency), left-padded.
"""

from __future__ import annotations

import json
import os
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

from benchmark.models.adapters.chat import (
    QWEN_VL_CHAT_TEMPLATE,
    MicroBatcher,
    to_qwen_messages,
    to_text_messages,
    trim_at_stop,
)
from benchmark.models.base import Generation, ModelError
from benchmark.models.spec import ModelSpec
from benchmark.prompts import Prompt

QWEN_VL_TYPES = ("qwen2_vl", "qwen2_5_vl")
_INSTALL = "pip install 'medvie-bench[hf]' (torch==2.13.0, transformers>=5, accelerate)"


@lru_cache(maxsize=1)
def _image_only_processor_class() -> type:
    """Qwen2.5-VL's processor without a video processor (which would need torchvision)."""
    from transformers import Qwen2_5_VLProcessor
    from transformers.processing_utils import ProcessorMixin

    class QwenVLImageProcessor(Qwen2_5_VLProcessor):
        def __init__(self, image_processor=None, tokenizer=None, chat_template=None, **kwargs):
            self.image_token, self.video_token = "<|image_pad|>", "<|video_pad|>"
            self.image_token_id = tokenizer.convert_tokens_to_ids(self.image_token)
            self.video_token_id = tokenizer.convert_tokens_to_ids(self.video_token)
            ProcessorMixin.__init__(self, image_processor, tokenizer, chat_template=chat_template)

    return QwenVLImageProcessor


def _chat_template(folder: Path, tokenizer: Any) -> str:
    if (folder / "chat_template.jinja").is_file():
        return (folder / "chat_template.jinja").read_text(encoding="utf-8")
    if (folder / "chat_template.json").is_file():
        return json.loads((folder / "chat_template.json").read_text(encoding="utf-8"))[
            "chat_template"
        ]
    template = getattr(tokenizer, "chat_template", None)
    return template if isinstance(template, str) and "image" in template else QWEN_VL_CHAT_TEMPLATE


def load_vl_processor(
    folder: str | Path, *, max_pixels: int | None = None, min_pixels: int | None = None
) -> Any:
    """An image-only Qwen-VL processor for a checkpoint folder (tokenizer, PIL image processor,
    the folder's chat template), with the pixel budget applied."""
    from transformers import AutoTokenizer

    try:  # transformers >= 5: the PIL backend needs no torchvision
        from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import (
            Qwen2VLImageProcessorPil,
        )
    except ImportError as exc:
        raise ModelError(f"the hf adapter needs transformers >= 5: {_INSTALL}") from exc

    folder = Path(folder)
    tok = AutoTokenizer.from_pretrained(folder, local_files_only=True)
    tok.padding_side = "left"
    pixels = {k: v for k, v in (("max_pixels", max_pixels), ("min_pixels", min_pixels)) if v}
    if (folder / "preprocessor_config.json").is_file():
        image_processor = Qwen2VLImageProcessorPil.from_pretrained(
            folder, local_files_only=True, **pixels
        )
    else:
        image_processor = Qwen2VLImageProcessorPil(**pixels)
    return _image_only_processor_class()(
        image_processor, tok, chat_template=_chat_template(folder, tok)
    )


def resolve_source(spec: ModelSpec, offline: bool) -> Path:
    """The local folder holding the spec's weights (a hub id must be in the local HF cache when
    offline)."""
    if spec.checkpoint:
        path = Path(spec.checkpoint).expanduser()
        if not path.exists() and spec.path and not path.is_absolute():
            path = spec.path.parent / path
        if not path.is_dir():
            raise ModelError(f"model {spec.name!r}: checkpoint folder not found: {spec.checkpoint}")
        return path
    if not spec.model_id:
        raise ModelError(f"model {spec.name!r}: the hf adapter needs checkpoint or model_id")
    if Path(spec.model_id).expanduser().is_dir():
        return Path(spec.model_id).expanduser()
    from huggingface_hub import snapshot_download

    try:
        return Path(snapshot_download(spec.model_id, local_files_only=offline))
    except Exception as exc:
        hint = (
            f"download it first (huggingface-cli download {spec.model_id}) or set checkpoint "
            "to a local folder"
            if offline
            else str(exc)
        )
        raise ModelError(
            f"model {spec.name!r}: {spec.model_id} is not available locally "
            f"(downloads are off: options.offline is true); {hint}"
        ) from exc


def _torch_settings(opts: dict[str, Any]) -> tuple[str, Any]:
    import torch

    device = str(opts.get("device", "auto"))
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    name = str(opts.get("dtype", "auto"))
    if name == "auto":
        name = "bfloat16" if device.startswith("cuda") else "float32"
    dtypes = {
        "bfloat16": torch.bfloat16,
        "bf16": torch.bfloat16,
        "float16": torch.float16,
        "fp16": torch.float16,
        "float32": torch.float32,
        "fp32": torch.float32,
    }
    if name not in dtypes:
        raise ModelError(f"options.dtype must be one of auto, {', '.join(dtypes)}; got {name!r}")
    return device, dtypes[name]


def source_folders(spec: ModelSpec, offline: bool) -> tuple[Path, Path]:
    """(checkpoint folder, base model folder): the same folder unless the checkpoint is a PEFT
    LoRA adapter, whose base comes from ``options.base_model`` or its ``adapter_config.json``."""
    folder = resolve_source(spec, offline)
    adapter_cfg = folder / "adapter_config.json"
    if not adapter_cfg.is_file() or (folder / "config.json").is_file():
        return folder, folder
    base_id = spec.options.get("base_model") or json.loads(adapter_cfg.read_text())["base_model_name_or_path"]
    return folder, resolve_source(spec.model_copy(update={"checkpoint": None, "model_id": base_id}), offline)


def load_model_and_processor(spec: ModelSpec) -> tuple[Any, Any, bool, str]:
    """(model, processor or tokenizer, is_vlm, device) for a spec; raises ``ModelError``."""
    opts = spec.options
    offline = bool(opts.get("offline", True))
    if offline:
        os.environ["HF_HUB_OFFLINE"] = "1"
    try:
        import torch  # noqa: F401
        import transformers
    except ImportError as exc:
        raise ModelError(f"the hf adapter needs torch and transformers: {_INSTALL}") from exc
    folder, base = source_folders(spec, offline)
    config = transformers.AutoConfig.from_pretrained(base, local_files_only=True)
    is_vlm = getattr(config, "vision_config", None) is not None
    if spec.uses_image and not is_vlm:
        raise ModelError(f"model {spec.name!r}: {base} has no vision encoder; use input: ocr")
    device, dtype = _torch_settings(opts)
    kwargs: dict[str, Any] = {"dtype": dtype, "local_files_only": True}
    if opts.get("attn_implementation"):
        kwargs["attn_implementation"] = opts["attn_implementation"]
    if opts.get("device_map"):
        kwargs["device_map"] = opts["device_map"]
    auto = transformers.AutoModelForImageTextToText if is_vlm else transformers.AutoModelForCausalLM
    model = auto.from_pretrained(base, **kwargs)
    if base != folder:
        try:
            from peft import PeftModel
        except ImportError as exc:
            raise ModelError(f"{folder} is a LoRA adapter: pip install peft") from exc
        model = PeftModel.from_pretrained(model, folder).merge_and_unload()
    if not opts.get("device_map"):
        model = model.to(device)
    model.eval()
    tok_folder = folder if (folder / "tokenizer_config.json").is_file() else base
    if is_vlm:
        if config.model_type not in QWEN_VL_TYPES:
            processor = transformers.AutoProcessor.from_pretrained(
                tok_folder, local_files_only=True
            )
        else:
            processor = load_vl_processor(
                tok_folder, max_pixels=spec.image.max_pixels, min_pixels=spec.image.min_pixels
            )
    else:
        processor = transformers.AutoTokenizer.from_pretrained(tok_folder, local_files_only=True)
        processor.padding_side = "left"
        if processor.pad_token is None:
            processor.pad_token = processor.eos_token
    return model, processor, is_vlm, device


class HFAdapter:
    """``transformers`` generation in-process; loads the model at construction."""

    def __init__(self, spec: ModelSpec) -> None:
        self.spec = spec
        try:
            self.model, self.processor, self.is_vlm, self.device = load_model_and_processor(spec)
        except ModelError:
            raise
        except Exception as exc:  # a broken folder, an unsupported architecture, ...
            raise ModelError(
                f"model {spec.name!r}: loading failed: {type(exc).__name__}: {exc}"
            ) from exc
        self.tokenizer = getattr(self.processor, "tokenizer", self.processor)
        opts = spec.options
        self.batcher = MicroBatcher(
            self._generate_batch,
            max_batch=int(opts.get("batch_size", spec.concurrency)),
            wait_s=float(opts.get("batch_wait_ms", 10)) / 1000,
        )

    @staticmethod
    def weights_files(spec: ModelSpec) -> dict[str, Path]:
        """The checkpoint folder and a LoRA's base folder, when they are on disk already (a hub
        id still to be downloaded has none yet)."""
        try:
            folder, base = source_folders(spec, offline=True)
        except (ModelError, ImportError):
            return {}
        return {"checkpoint": folder} if base == folder else {"checkpoint": folder, "base": base}

    async def generate(self, prompt: Prompt) -> Generation:
        try:
            return await self.batcher.submit(prompt)
        except Exception as exc:
            return _failed(exc)

    async def aclose(self) -> None:
        """Keeps the model loaded, so one adapter can serve several runs."""

    # -- in the worker thread ------------------------------------------------------------
    def _encode_one(self, prompt: Prompt) -> tuple[str, list[Any]]:
        from benchmark.images import open_image

        if not self.is_vlm:
            text = self.tokenizer.apply_chat_template(
                to_text_messages(prompt.messages), tokenize=False, add_generation_prompt=True
            )
            return text, []
        messages, paths = to_qwen_messages(prompt.messages)
        images = []
        for path in paths:
            with open_image(path) as img:  # the pixel cap: a huge page fails its own document
                images.append(img.convert("RGB"))
        text = self.processor.apply_chat_template(
            messages, tokenize=False, add_generation_prompt=True
        )
        return text, images

    def _generate_batch(self, prompts: list[Prompt]) -> list[Generation]:
        results: list[Generation | None] = [None] * len(prompts)
        encoded: list[tuple[int, str, list[Any]]] = []
        for i, prompt in enumerate(prompts):
            try:
                encoded.append((i, *self._encode_one(prompt)))
            except Exception as exc:  # an unreadable image fails its own document only
                results[i] = _failed(exc, "preparing the prompt: ")
        if encoded:
            try:
                outs = self._run(encoded)
            except Exception as exc:  # retry one by one, so one document cannot fail the others
                outs = [self._run_one(e) for e in encoded] if len(encoded) > 1 else [_failed(exc)]
            for (i, _, _), gen in zip(encoded, outs, strict=True):
                results[i] = gen
        return [r for r in results if r is not None]

    def _run_one(self, encoded: tuple[int, str, list[Any]]) -> Generation:
        try:
            return self._run([encoded])[0]
        except Exception as exc:
            return _failed(exc)

    def _run(self, encoded: list[tuple[int, str, list[Any]]]) -> list[Generation]:
        import torch

        g = self.spec.generation
        texts = [t for _, t, _ in encoded]
        images = [im for _, _, ims in encoded for im in ims]
        if self.is_vlm:
            inputs = self.processor(
                text=texts, images=images or None, padding=True, return_tensors="pt"
            )
        else:
            inputs = self.tokenizer(
                texts, padding=True, return_tensors="pt", add_special_tokens=False
            )
        inputs = inputs.to(self.model.device)
        kwargs: dict[str, Any] = {
            "max_new_tokens": g.max_tokens,
            "do_sample": g.temperature > 0,
            "pad_token_id": self.tokenizer.pad_token_id,
        }
        if g.temperature > 0:
            kwargs.update(temperature=g.temperature, top_p=g.top_p)
            if g.seed is not None:
                torch.manual_seed(g.seed)
        else:
            kwargs.update(temperature=None, top_p=None, top_k=None)
        if g.stop:
            kwargs.update(stop_strings=list(g.stop), tokenizer=self.tokenizer)
        start = time.perf_counter()
        with torch.inference_mode():
            out = self.model.generate(**inputs, **kwargs)
        latency = time.perf_counter() - start
        n_in = inputs["input_ids"].shape[1]
        eos = self._eos_ids()
        gens = []
        for row, mask in zip(out, inputs["attention_mask"], strict=True):
            new = row[n_in:].tolist()
            n_out = next((k + 1 for k, t in enumerate(new) if t in eos), len(new))
            ended = n_out < len(new) or (bool(new) and new[n_out - 1] in eos)
            text = self.tokenizer.decode(new[:n_out], skip_special_tokens=True)
            text, stopped = trim_at_stop(text, g.stop)
            finish = "stop" if ended or stopped else "length"
            gens.append(
                Generation(
                    raw=text,
                    tokens_in=int(mask.sum()),
                    tokens_out=n_out,
                    latency_s=latency,
                    finish_reason=finish,
                )
            )
        return gens

    def _eos_ids(self) -> set[int]:
        ids = self.model.generation_config.eos_token_id
        ids = set(ids if isinstance(ids, list) else [ids] if ids is not None else [])
        if self.tokenizer.eos_token_id is not None:
            ids.add(self.tokenizer.eos_token_id)
        if self.tokenizer.pad_token_id is not None:
            ids.add(self.tokenizer.pad_token_id)
        return ids


def _failed(exc: BaseException, what: str = "") -> Generation:
    return Generation(
        raw=None, error_kind="adapter_error", error=f"{what}{type(exc).__name__}: {exc}"
    )
