"""OpenAI-compatible chat adapter (OpenAI, vLLM, llama.cpp, any ``/v1/chat/completions``).

- Our own bounded retries (the client's are off) with exponential backoff and jitter on 429, 408,
  409, 5xx, timeouts and broken connections; ``Retry-After`` / ``retry-after-ms`` are honoured up
  to ``options.max_retry_after_s``.
- Adaptive concurrency (AIMD): at most ``concurrency`` requests in flight; a 429 or 503 halves
  the limit (once per round trip, not below ``options.min_concurrency``), each success adds
  ``1/limit``.
- Every failure is a ``Generation`` with ``error_kind``; a hard deadline of ``timeout_s`` per
  attempt, and a response body over ``options.max_response_bytes`` is an error, not a crash.
- The API key is read from the environment variable ``api_key_env`` and never stored in records.
- The endpoint is ``base_url``, else ``$OPENAI_BASE_URL``, else OpenAI's; ``resolve_spec`` writes the
  variable's URL into the spec a run uses, so it is part of the cache key and the manifest (a spec
  with no endpoint of its own and no variable set keeps its key).
- ``latency_s`` is the successful attempt's; for a failure, the whole time spent retrying.

Options (``spec.options``): max_retries (4), backoff_base_s (0.5), backoff_max_s (30),
max_retry_after_s (60), max_response_bytes (4 MiB), min_concurrency (1), frequency_penalty,
presence_penalty, extra_body (dict passed through, e.g. llama.cpp's ``repeat_penalty``),
max_tokens_param (``max_tokens`` or ``max_completion_tokens``).
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import os
import random
import sys
import time
from collections import deque
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import openai

from benchmark.models.adapters.images import to_api_messages
from benchmark.models.base import Generation
from benchmark.models.spec import ModelSpec
from benchmark.prompts import Prompt

DEFAULT_BASE_URL = "https://api.openai.com/v1"
BASE_URL_ENV = "OPENAI_BASE_URL"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "0.0.0.0"}
NO_KEY = "no-key"


def _transport_errors() -> tuple[type[BaseException], ...]:
    """Errors of the client's HTTP library raised while reading a streamed body: of the library
    ``openai`` itself imported (``httpx2`` or ``httpx``), so the other one is not imported for nothing."""
    modules = [sys.modules.get(name) for name in ("httpx2", "httpx")]
    return tuple(m.TransportError for m in modules if m is not None and hasattr(m, "TransportError"))


TRANSPORT_ERRORS = _transport_errors()


class AIMDLimiter:
    """A semaphore whose size adapts: halve on overload, grow by ``1/limit`` per success."""

    def __init__(self, limit: int, min_limit: int = 1) -> None:
        self.max_limit = max(1, limit)
        self.min_limit = max(1, min(min_limit, self.max_limit))
        self.limit = float(self.max_limit)
        self.in_flight = 0
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._last_cut = float("-inf")

    @property
    def capacity(self) -> int:
        return max(self.min_limit, int(self.limit))

    async def acquire(self) -> float:
        """Wait for a slot; returns the time the slot was taken (for :meth:`overload`)."""
        if self.in_flight < self.capacity and not self._waiters:
            self.in_flight += 1
            return time.monotonic()
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(fut)
        try:
            await fut
        except asyncio.CancelledError:
            if fut.done() and not fut.cancelled():
                self.release()  # a slot was handed to us as we were cancelled
            else:
                self._waiters.remove(fut)
            raise
        return time.monotonic()

    def release(self) -> None:
        self.in_flight -= 1
        self._wake()

    def _wake(self) -> None:
        while self._waiters and self.in_flight < self.capacity:
            fut = self._waiters.popleft()
            if not fut.done():
                self.in_flight += 1
                fut.set_result(None)

    def success(self) -> None:
        if self.limit < self.max_limit:
            self.limit = min(self.max_limit, self.limit + 1.0 / self.limit)
            self._wake()

    def overload(self, started_at: float) -> None:
        """Halve the limit, at most once per round trip (only requests started after the last
        cut count, so a burst of 429s from one window halves once)."""
        if started_at > self._last_cut:
            self.limit = max(float(self.min_limit), self.limit / 2)
            self._last_cut = time.monotonic()


@dataclass(eq=False)
class _Failure(Exception):
    kind: str
    message: str
    status_code: int | None = None
    retryable: bool = False
    retry_after: float | None = None
    overload: bool = False


def parse_retry_after(headers: Any) -> float | None:
    """Seconds from ``retry-after-ms`` or ``Retry-After`` (seconds or an HTTP date)."""
    if headers is None:
        return None
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time()) if when else None


def _status_failure(exc: openai.APIStatusError) -> _Failure:
    code = exc.status_code
    headers = exc.response.headers if exc.response is not None else None
    should = headers.get("x-should-retry") if headers is not None else None
    retryable = code in (408, 409, 429) or code >= 500
    if should in ("true", "false"):
        retryable = should == "true"
    kind = "rate_limited" if code == 429 else "http_error"
    return _Failure(
        kind,
        f"HTTP {code}: {_short(exc.message)}",
        code,
        retryable,
        parse_retry_after(headers),
        overload=code in (429, 503),
    )


def _short(text: Any, limit: int = 300) -> str:
    text = str(text)
    return text if len(text) <= limit else text[:limit] + "…"


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {_short(exc) or 'connection closed or reset by the server'}"


def is_local(base_url: str) -> bool:
    return (urlparse(base_url).hostname or "") in LOCAL_HOSTS


class OpenAIAdapter:
    """Chat completions against any OpenAI-compatible endpoint; see the module docstring."""

    def __init__(self, spec: ModelSpec, *, client: openai.AsyncOpenAI | None = None) -> None:
        self.spec = spec
        opts = spec.options
        self.base_url = spec.base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL
        self.model_id = spec.model_id or spec.name
        self.max_retries = int(opts.get("max_retries", 4))
        self.backoff_base = float(opts.get("backoff_base_s", 0.5))
        self.backoff_max = float(opts.get("backoff_max_s", 30.0))
        self.max_retry_after = float(opts.get("max_retry_after_s", 60.0))
        self.max_body = int(opts.get("max_response_bytes", 4 << 20))
        self.limiter = AIMDLimiter(spec.concurrency, int(opts.get("min_concurrency", 1)))
        self.config_error: str | None = None
        self._api_key = self._read_key()
        self._client = client
        self._base_request = self._request_template()

    @staticmethod
    def resolve_spec(spec: ModelSpec) -> ModelSpec:
        """The spec with the endpoint it will talk to: ``$OPENAI_BASE_URL`` when it has none."""
        env = os.environ.get(BASE_URL_ENV, "").strip()
        if spec.base_url or not env:
            return spec
        return spec.model_copy(update={"base_url": env})

    def _read_key(self) -> str:
        name = self.spec.api_key_env
        key = os.environ.get(name, "") if name else ""
        if not key and name and not is_local(self.base_url):
            self.config_error = (
                f"the API key variable {name} is not set (needed for "
                f"{self.base_url}); export {name}=... and run again"
            )
        return key or NO_KEY

    @property
    def client(self) -> openai.AsyncOpenAI:
        if self._client is None:
            self._client = openai.AsyncOpenAI(
                api_key=self._api_key,
                base_url=self.base_url,
                max_retries=0,
                timeout=self.spec.generation.timeout_s,
            )
        return self._client

    @property
    def _max_tokens_key(self) -> str:
        return str(self.spec.options.get("max_tokens_param", "max_tokens"))

    def _request_template(self) -> dict[str, Any]:
        g, opts = self.spec.generation, self.spec.options
        body: dict[str, Any] = {
            "model": self.model_id,
            "temperature": g.temperature,
            "top_p": g.top_p,
        }
        body[self._max_tokens_key] = g.max_tokens
        if g.stop:
            body["stop"] = list(g.stop)
        if g.seed is not None:
            body["seed"] = g.seed
        if g.json_mode:
            body["response_format"] = {"type": "json_object"}
        for name in ("frequency_penalty", "presence_penalty"):
            if opts.get(name) is not None:
                body[name] = opts[name]
        if opts.get("extra_body"):
            body["extra_body"] = dict(opts["extra_body"])
        body["timeout"] = g.timeout_s
        return body

    def _scrub(self, text: str) -> str:
        return text.replace(self._api_key, "***") if self._api_key != NO_KEY else text

    async def generate(self, prompt: Prompt) -> Generation:
        start = time.perf_counter()
        if self.config_error:
            return Generation(raw=None, error_kind="adapter_error", error=self.config_error)
        try:
            messages = await self._messages(prompt)
        except Exception as exc:
            return Generation(
                raw=None,
                error_kind="adapter_error",
                error=f"could not prepare the prompt: {type(exc).__name__}: {_short(exc)}",
                latency_s=time.perf_counter() - start,
            )
        request = {**self._base_request, "messages": messages}
        if prompt.thinking:
            # JSON mode would forbid the <think>…</think><answer> frame the prompt asks for
            request.pop("response_format", None)
        if prompt.max_tokens is not None:
            key = self._max_tokens_key
            request[key] = min(request[key], prompt.max_tokens)
        attempt = 0
        while True:
            taken = await self.limiter.acquire()
            try:
                gen = await self._attempt(request)
            except _Failure as fail:
                failure = fail
            else:
                self.limiter.success()
                return gen
            finally:
                self.limiter.release()
            if failure.overload:
                self.limiter.overload(taken)
            if not failure.retryable or attempt >= self.max_retries:
                suffix = f" (after {attempt + 1} attempts)" if attempt else ""
                return Generation(
                    raw=None,
                    error_kind=failure.kind,
                    error=self._scrub(failure.message + suffix),
                    status_code=failure.status_code,
                    latency_s=time.perf_counter() - start,
                )
            await asyncio.sleep(self.retry_delay(attempt, failure.retry_after))
            attempt += 1

    async def _messages(self, prompt: Prompt) -> list[dict[str, Any]]:
        img = self.spec.image
        has_image = any(
            isinstance(m.get("content"), list)
            and any(p.get("type") == "image" for p in m["content"])
            for m in prompt.messages
        )
        if has_image:  # decoding and resizing is CPU work: keep it off the event loop
            return await asyncio.to_thread(
                to_api_messages, prompt.messages, img.max_pixels, img.min_pixels
            )
        return to_api_messages(prompt.messages)

    def retry_delay(self, attempt: int, retry_after: float | None) -> float:
        """``Retry-After`` (capped) when the server sent one, else exponential with jitter."""
        if retry_after is not None:
            return min(retry_after, self.max_retry_after) + random.uniform(
                0, self.backoff_base / 10
            )
        ceiling = min(self.backoff_max, self.backoff_base * (2**attempt))
        return random.uniform(ceiling / 2, ceiling)

    async def _attempt(self, request: dict[str, Any]) -> Generation:
        """One request with a hard deadline; raises ``_Failure`` for anything but a reply."""
        timeout = self.spec.generation.timeout_s
        t0 = time.perf_counter()
        try:
            async with asyncio.timeout(timeout):  # no extra task per request, unlike wait_for
                data, status = await self._post(request)
        except _Failure:
            raise
        except (asyncio.TimeoutError, openai.APITimeoutError) as exc:
            raise _Failure(
                "timeout", f"no complete reply within {timeout:g} s", retryable=True
            ) from exc
        except openai.APIStatusError as exc:
            raise _status_failure(exc) from exc
        except openai.APIConnectionError as exc:
            raise _Failure(
                "connection_error", _describe(exc.__cause__ or exc), retryable=True
            ) from exc
        except TRANSPORT_ERRORS as exc:
            kind = "timeout" if "Timeout" in type(exc).__name__ else "connection_error"
            raise _Failure(kind, f"reading the reply: {_describe(exc)}", retryable=True) from exc
        except openai.OpenAIError as exc:
            raise _Failure("http_error", f"{type(exc).__name__}: {_short(exc)}") from exc
        except Exception as exc:
            raise _Failure("adapter_error", f"{type(exc).__name__}: {_short(exc)}") from exc
        return self._generation(data, status, time.perf_counter() - t0)

    async def _post(self, request: dict[str, Any]) -> tuple[Any, int]:
        """POST and read the body with a size cap; returns the decoded JSON."""
        async with self.client.chat.completions.with_streaming_response.create(**request) as resp:
            status = resp.status_code
            declared = resp.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > self.max_body:
                raise _Failure(
                    "http_error",
                    f"reply of {int(declared)} bytes exceeds max_response_bytes={self.max_body}",
                    status,
                )
            chunks: list[bytes] = []
            size = 0
            async for chunk in resp.iter_bytes():
                size += len(chunk)
                if size > self.max_body:
                    raise _Failure(
                        "http_error", f"reply exceeds max_response_bytes={self.max_body}", status
                    )
                chunks.append(chunk)
        body = b"".join(chunks)
        try:
            return json.loads(body), status
        except ValueError as exc:
            raise _Failure(
                "http_error",
                f"reply is not JSON ({len(body)} bytes): {_short(body[:200])}",
                status,
                retryable=True,
            ) from exc

    def _generation(self, data: Any, status: int, latency: float) -> Generation:
        try:
            if isinstance(data, dict) and data.get("error"):
                raise _Failure("http_error", f"error in reply: {_short(data['error'])}", status)
            choice = data["choices"][0]
            content = choice["message"].get("content")
            usage = data.get("usage") or {}
            finish = choice.get("finish_reason")
        except (KeyError, IndexError, TypeError, AttributeError) as exc:
            raise _Failure(
                "http_error", f"reply has no choices[0].message: {_short(data)}", status
            ) from exc
        if content is None and choice["message"].get("refusal"):
            raise _Failure("http_error", f"refused: {_short(choice['message']['refusal'])}", status)
        return Generation(
            raw=content if isinstance(content, str) else "",
            tokens_in=usage.get("prompt_tokens"),
            tokens_out=usage.get("completion_tokens"),
            latency_s=latency,
            finish_reason=finish,
            status_code=status,
        )

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None
