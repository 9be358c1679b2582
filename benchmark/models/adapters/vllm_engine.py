"""vLLM offline-engine adapter (``vllm.LLM`` in-process, multimodal chat through ``LLM.chat``).

NOT RUN ON A GPU BY US: vLLM cannot be installed where this was written (no GPU). The request
building (``build_vllm_request``, ``build_engine_kwargs``) is pure and tested; the engine calls
follow vLLM's documented offline API (``LLM(...)``, ``LLM.chat(conversations, sampling_params,
chat_template_content_format="openai")``) and should be checked on a GPU before publishing.

Spec fields used: ``checkpoint`` or ``model_id`` (the model), generation settings (sampling),
``image.max_pixels`` / ``image.min_pixels`` (``mm_processor_kwargs``), and options:
``tensor_parallel_size`` (1), ``dtype`` (auto), ``max_model_len`` (8192),
``gpu_memory_utilization`` (0.9), ``max_num_seqs``, ``enforce_eager``, ``guided_json``
(default: ``generation.json_mode`` in direct mode; never in thinking mode), ``engine_kwargs``
(extra ``LLM(...)`` keyword arguments), ``batch_size`` / ``batch_wait_ms`` (how many waiting
prompts go to one ``LLM.chat`` call).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from benchmark.models.adapters.chat import MicroBatcher, to_vllm_messages
from benchmark.models.base import Generation, ModelError
from benchmark.models.spec import ModelSpec
from benchmark.prompts import Prompt
from benchmark.scoring.keys import parse_row_key
from benchmark.tasks.spec import FieldSpec

_INSTALL = "pip install 'medvie-bench[vllm]' on a machine with a supported GPU"


def _field_schema(field: FieldSpec) -> dict[str, Any]:
    if field.type == "list":
        item = _object_schema(field.fields) if field.fields else {"type": ["string", "number"]}
        return {"type": "array", "items": item}
    if field.type == "object" and field.fields:
        return _object_schema(field.fields)
    return {"type": ["string", "number", "null"]}


def _object_schema(fields: list[FieldSpec]) -> dict[str, Any]:
    return {"type": "object", "properties": {f.key: _field_schema(f) for f in fields}}


def json_schema(prompt: Prompt) -> dict[str, Any]:
    """A loose JSON schema of the queried keys (types only; any key may be left out). A row key
    (``Indicators[Item Name=WBC].Result``) is a top-level member of its own, as the prompt asks."""
    keys = prompt.queried_keys
    fields = [f for f in prompt.task.fields if keys is None or f.key in keys]
    schema = _object_schema(fields)
    for key in keys or ():
        if parse_row_key(key) is not None:
            schema["properties"][key] = {"type": ["string", "number", "null"]}
    return schema


def build_vllm_request(prompt: Prompt, spec: ModelSpec) -> dict[str, Any]:
    """What one ``LLM.chat`` call needs for a prompt: ``messages`` (OpenAI shape, images as
    ``file://`` URLs), ``sampling`` (``SamplingParams`` keyword arguments) and ``guided_json``
    (a JSON schema, or None)."""
    g = spec.generation
    sampling: dict[str, Any] = {
        "max_tokens": g.max_tokens,
        "temperature": g.temperature,
        "top_p": g.top_p,
    }
    if g.stop:
        sampling["stop"] = list(g.stop)
    if g.seed is not None:
        sampling["seed"] = g.seed
    guided = bool(spec.options.get("guided_json", g.json_mode)) and not prompt.thinking
    return {
        "messages": to_vllm_messages(prompt.messages),
        "sampling": sampling,
        "guided_json": json_schema(prompt) if guided else None,
    }


def build_engine_kwargs(spec: ModelSpec) -> dict[str, Any]:
    """Keyword arguments for ``vllm.LLM`` from the spec."""
    model = spec.checkpoint or spec.model_id
    if not model:
        raise ModelError(f"model {spec.name!r}: the vllm adapter needs checkpoint or model_id")
    opts = spec.options
    kwargs: dict[str, Any] = {
        "model": str(Path(model).expanduser()) if spec.checkpoint else model,
        "tensor_parallel_size": int(opts.get("tensor_parallel_size", 1)),
        "dtype": str(opts.get("dtype", "auto")),
        "max_model_len": int(opts.get("max_model_len", 8192)),
        "gpu_memory_utilization": float(opts.get("gpu_memory_utilization", 0.9)),
        "limit_mm_per_prompt": {"image": int(opts.get("max_images", 1))},
        # images are local files, read through file:// URLs
        "allowed_local_media_path": str(opts.get("allowed_local_media_path", "/")),
    }
    pixels = {"max_pixels": spec.image.max_pixels, "min_pixels": spec.image.min_pixels}
    if any(pixels.values()):
        kwargs["mm_processor_kwargs"] = {k: v for k, v in pixels.items() if v}
    if spec.generation.seed is not None:
        kwargs["seed"] = spec.generation.seed
    for key in ("max_num_seqs", "enforce_eager", "quantization", "revision"):
        if key in opts:
            kwargs[key] = opts[key]
    kwargs.update(opts.get("engine_kwargs", {}))
    return kwargs


def _sampling_params(vllm: Any, request: dict[str, Any]) -> Any:
    kwargs = dict(request["sampling"])
    schema = request.get("guided_json")
    if schema is not None:
        try:  # vLLM >= 0.11
            from vllm.sampling_params import StructuredOutputsParams

            kwargs["structured_outputs"] = StructuredOutputsParams(json=schema)
        except ImportError:
            from vllm.sampling_params import GuidedDecodingParams

            kwargs["guided_decoding"] = GuidedDecodingParams(json=schema)
    return vllm.SamplingParams(**kwargs)


class VLLMAdapter:
    """Batches waiting prompts into ``LLM.chat`` calls run in a worker thread."""

    @staticmethod
    def weights_files(spec: ModelSpec) -> dict[str, Path]:
        """The checkpoint (a hub id is vLLM's to fetch and has no local files here)."""
        return {"checkpoint": Path(spec.checkpoint).expanduser()} if spec.checkpoint else {}

    def __init__(self, spec: ModelSpec) -> None:
        self.spec = spec
        try:
            import vllm
        except ImportError as exc:
            raise ModelError(
                f"the vllm adapter needs vLLM, which is not installed: {_INSTALL}"
            ) from exc
        self._vllm = vllm
        try:
            self.llm = vllm.LLM(**build_engine_kwargs(spec))
        except ModelError:
            raise
        except Exception as exc:
            raise ModelError(
                f"model {spec.name!r}: vLLM failed to start: {type(exc).__name__}: {exc}"
            ) from exc
        opts = spec.options
        self.batcher = MicroBatcher(
            self._chat_batch,
            max_batch=int(opts.get("batch_size", spec.concurrency)),
            wait_s=float(opts.get("batch_wait_ms", 10)) / 1000,
        )

    async def generate(self, prompt: Prompt) -> Generation:
        try:
            request = build_vllm_request(prompt, self.spec)
            return await self.batcher.submit(request)
        except Exception as exc:
            return _failed(exc)

    async def aclose(self) -> None:
        self.llm = None

    def _chat_batch(self, requests: list[dict[str, Any]]) -> list[Generation]:
        try:
            return self._chat(requests)
        except Exception as exc:  # retry one by one, so one document cannot fail the others
            if len(requests) == 1:
                return [_failed(exc)]
            return [self._chat_batch([r])[0] for r in requests]

    def _chat(self, requests: list[dict[str, Any]]) -> list[Generation]:
        start = time.perf_counter()
        outputs = self.llm.chat(
            [r["messages"] for r in requests],
            sampling_params=[_sampling_params(self._vllm, r) for r in requests],
            use_tqdm=False,
            chat_template_content_format="openai",
        )
        latency = time.perf_counter() - start
        return [generation_from_output(out, latency) for out in outputs]


def _failed(exc: BaseException) -> Generation:
    return Generation(raw=None, error_kind="adapter_error", error=f"{type(exc).__name__}: {exc}")


def generation_from_output(output: Any, latency: float) -> Generation:
    """A ``Generation`` from one vLLM ``RequestOutput``."""
    completion = output.outputs[0]
    return Generation(
        raw=completion.text,
        tokens_in=len(output.prompt_token_ids or []),
        tokens_out=len(completion.token_ids or []),
        latency_s=latency,
        finish_reason=completion.finish_reason,
    )
