"""For the in-process adapters (``hf``, ``vllm``): chat-message conversion and a micro-batcher.

Prompts carry OpenAI-shaped messages whose image parts are ``{"type": "image", "image": path}``.
- ``to_qwen_messages``: Qwen-VL chat-template shape (``{"type": "image"}`` placeholders) plus the
  image paths in order;
- ``to_text_messages``: plain-string contents for a text-only model (image parts dropped);
- ``to_vllm_messages``: ``image_url`` parts (``file://`` URLs) for vLLM's ``LLM.chat``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

# Qwen2-VL / Qwen2.5-VL's own chat template (the one their processors ship), for checkpoints
# whose folder has no template that understands image parts.
QWEN_VL_CHAT_TEMPLATE = (
    "{% set image_count = namespace(value=0) %}{% set video_count = namespace(value=0) %}"
    "{% for message in messages %}{% if loop.first and message['role'] != 'system' %}"
    "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n{% endif %}"
    "<|im_start|>{{ message['role'] }}\n{% if message['content'] is string %}"
    "{{ message['content'] }}<|im_end|>\n{% else %}{% for content in message['content'] %}"
    "{% if content['type'] == 'image' or 'image' in content or 'image_url' in content %}"
    "{% set image_count.value = image_count.value + 1 %}{% if add_vision_id %}"
    "Picture {{ image_count.value }}: {% endif %}<|vision_start|><|image_pad|><|vision_end|>"
    "{% elif content['type'] == 'video' or 'video' in content %}"
    "{% set video_count.value = video_count.value + 1 %}{% if add_vision_id %}"
    "Video {{ video_count.value }}: {% endif %}<|vision_start|><|video_pad|><|vision_end|>"
    "{% elif 'text' in content %}{{ content['text'] }}{% endif %}{% endfor %}<|im_end|>\n"
    "{% endif %}{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


def _image_path(part: dict[str, Any]) -> str | None:
    """The local path of an image part (``image`` or a ``file://`` ``image_url``), else None."""
    if part.get("type") == "image" or "image" in part:
        value = part.get("image")
        return str(value) if value is not None else None
    if part.get("type") == "image_url":
        url = part.get("image_url")
        url = url.get("url") if isinstance(url, dict) else url
        if isinstance(url, str) and url.startswith("file://"):
            return url[len("file://") :]
        if isinstance(url, str) and not url.startswith(("http://", "https://", "data:")):
            return url
        raise ValueError("only local image files are supported in-process (got a URL or data URL)")
    return None


def _is_image(part: dict[str, Any]) -> bool:
    return part.get("type") in ("image", "image_url") or "image" in part


def _convert(messages: Sequence[dict[str, Any]], image_part: Callable[[str], dict[str, Any]]) -> list[dict[str, Any]]:
    """Messages with each image part replaced by ``image_part(path)`` and text parts kept."""
    out: list[dict[str, Any]] = []
    for msg in messages:
        content = msg.get("content")
        if isinstance(content, str):
            out.append({"role": msg["role"], "content": content})
            continue
        parts: list[dict[str, Any]] = []
        for part in content or []:
            if _is_image(part):
                path = _image_path(part)
                if path is None:
                    raise ValueError("an image part without a file path")
                parts.append(image_part(path))
            elif part.get("type") == "text":
                parts.append({"type": "text", "text": part.get("text", "")})
        out.append({"role": msg["role"], "content": parts})
    return out


def to_qwen_messages(messages: Sequence[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """Messages for a Qwen-VL chat template, and the image paths in the order they appear."""
    images: list[str] = []

    def placeholder(path: str) -> dict[str, Any]:
        images.append(path)
        return {"type": "image"}

    return _convert(messages, placeholder), images


def to_text_messages(messages: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Messages with string contents (text parts joined; images dropped) for text-only models."""
    out = []
    for msg in messages:
        content = msg.get("content")
        if not isinstance(content, str):
            content = "\n".join(p.get("text", "") for p in content or [] if p.get("type") == "text")
        out.append({"role": msg["role"], "content": content})
    return out


def to_vllm_messages(messages: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """OpenAI chat shape with ``image_url`` parts pointing at ``file://`` paths."""
    return _convert(messages, lambda path: {"type": "image_url", "image_url": {"url": Path(path).resolve().as_uri()}})


def trim_at_stop(text: str, stop: Sequence[str] | None) -> tuple[str, bool]:
    """Text cut before the first stop string (OpenAI semantics), and whether one was found."""
    cut = min((i for s in stop or [] if s and (i := text.find(s)) >= 0), default=-1)
    return (text[:cut], True) if cut >= 0 else (text, False)


class MicroBatcher:
    """Collects items submitted within ``wait_s`` (up to ``max_batch``) and runs them together
    in a worker thread, one batch at a time. ``fn`` maps a list of items to a list of results of
    the same length; if it raises, every item of that batch gets the exception."""

    def __init__(
        self, fn: Callable[[list[Any]], list[Any]], max_batch: int = 4, wait_s: float = 0.01
    ) -> None:
        self.fn = fn
        self.max_batch = max(1, max_batch)
        self.wait_s = wait_s
        self._pending: list[tuple[Any, asyncio.Future[Any]]] = []
        self._task: asyncio.Task[None] | None = None
        self.batch_sizes: list[int] = []

    async def submit(self, item: Any) -> Any:
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending.append((item, fut))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._drain())
        return await fut

    async def _drain(self) -> None:
        while self._pending:
            if len(self._pending) < self.max_batch:
                await asyncio.sleep(self.wait_s)  # let the other workers' prompts arrive
            batch = self._pending[: self.max_batch]
            del self._pending[: self.max_batch]
            self.batch_sizes.append(len(batch))
            try:
                results = await asyncio.to_thread(self.fn, [item for item, _ in batch])
            except Exception as exc:
                for _, fut in batch:
                    if not fut.done():
                        fut.set_exception(exc)
                continue
            for (_, fut), result in zip(batch, results, strict=True):
                if not fut.done():
                    fut.set_result(result)
