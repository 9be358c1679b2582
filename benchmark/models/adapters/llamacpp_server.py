"""``llama_cpp.server`` with a faster, output-identical sampler for greedy constrained decoding.

llama-cpp-python applies a grammar (JSON mode) to the whole vocabulary at every step before it
picks a token: with Qwen's 151,665 tokens that is ~30 ms per answer token on this 2-core machine,
≈ 20 % of a lab-report header query. For greedy decoding the check can be lazy, as llama.cpp's own
``common_sampler`` does: take the arg-max of the raw logits, ask the grammar about that one token,
and only when it is rejected apply the grammar to every token and take the arg-max of what is
left. The allowed arg-max is the same token either way (ties resolve to the lowest id in both), so
answers are unchanged; ``tests/test_llamacpp_sampling.py`` compares the two token by token.

Used only where it is exactly equivalent: temperature 0, a grammar, neutral penalties and no logits
processor; anything else keeps llama-cpp-python's own sampler chain. ``python -m
benchmark.models.adapters.llamacpp_server ARGS`` installs it and runs ``llama_cpp.server`` with
ARGS (the llama.cpp adapter's default ``server_module``).
"""

from __future__ import annotations

import ctypes
import math
import runpy
from typing import Any

import llama_cpp
import numpy as np
from llama_cpp import Llama
from llama_cpp.llama_grammar import LlamaGrammar

_TOKEN_DATA = np.dtype([("id", np.intc), ("logit", np.single), ("p", np.single)], align=True)
assert _TOKEN_DATA.itemsize == ctypes.sizeof(llama_cpp.llama_token_data)


class GreedyGrammarSampler:
    """Greedy decoding under a grammar, checking the grammar lazily. Quacks like
    ``llama_cpp._internals.LlamaSampler`` as far as ``Llama`` uses it (``sample``)."""

    def __init__(self, llama: Llama, grammar: LlamaGrammar) -> None:
        self.n_vocab = llama.n_vocab()
        self.grammar = llama_cpp.llama_sampler_init_grammar(
            llama._model.vocab, grammar._grammar.encode(), grammar._root.encode()
        )
        if not self.grammar:
            raise ValueError("llama.cpp rejected the grammar")
        self.full_checks = 0  # steps where the arg-max was rejected (for tests and curiosity)
        self.steps = 0

    def _apply(self, data: Any, size: int) -> None:
        array = llama_cpp.llama_token_data_array(
            data=ctypes.cast(data, ctypes.POINTER(llama_cpp.llama_token_data)),
            size=size, selected=-1, sorted=False,
        )
        llama_cpp.llama_sampler_apply(self.grammar, ctypes.byref(array))

    def sample(self, ctx: Any, idx: int = -1) -> int:
        ptr = llama_cpp.llama_get_logits_ith(ctx.ctx, idx)
        logits = np.ctypeslib.as_array(ptr, shape=(self.n_vocab,))
        token = int(np.argmax(logits))
        one = llama_cpp.llama_token_data(id=token, logit=float(logits[token]), p=0.0)
        self._apply(ctypes.pointer(one), 1)
        if math.isinf(one.logit) and one.logit < 0:  # rejected: constrain the whole vocabulary
            self.full_checks += 1
            cur = np.empty(self.n_vocab, dtype=_TOKEN_DATA)
            cur["id"] = np.arange(self.n_vocab, dtype=np.intc)
            cur["logit"] = logits
            cur["p"] = 0.0
            self._apply(cur.ctypes.data, self.n_vocab)
            token = int(np.argmax(cur["logit"]))
        llama_cpp.llama_sampler_accept(self.grammar, token)
        self.steps += 1
        return token

    def close(self) -> None:
        if self.grammar:
            llama_cpp.llama_sampler_free(self.grammar)
            self.grammar = None

    def __del__(self) -> None:
        self.close()


_original_init_sampler = Llama._init_sampler


def _init_sampler(self: Llama, *args: Any, **kw: Any) -> Any:
    neutral = (
        not args
        and kw.get("temp") == 0.0
        and kw.get("grammar") is not None
        and kw.get("logits_processor") is None
        and kw.get("repeat_penalty", 1.0) == 1.0
        and kw.get("frequency_penalty", 0.0) == 0.0
        and kw.get("presence_penalty", 0.0) == 0.0
    )
    if neutral:
        return GreedyGrammarSampler(self, kw["grammar"])
    return _original_init_sampler(self, *args, **kw)


def install() -> None:
    """Route greedy grammar decoding of every ``Llama`` in this process through the lazy check."""
    Llama._init_sampler = _init_sampler  # type: ignore[method-assign]


def uninstall() -> None:
    Llama._init_sampler = _original_init_sampler  # type: ignore[method-assign]


if __name__ == "__main__":
    install()
    runpy.run_module("llama_cpp.server", run_name="__main__", alter_sys=True)
