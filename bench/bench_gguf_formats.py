"""Raw llama.cpp speed of the packaged Qwen2.5-0.5B GGUF against the same weights stored in other
formats, and with 1 vs 2 threads: prompt tokens/s and answer tokens/s on a real lab-report prompt.

    python bench/bench_gguf_formats.py [--formats q8_0,f16] [--rounds 3] [--threads 1,2]

The other formats are requantised from the packaged file (llama.cpp's own ``llama_model_quantize``
with ``allow_requantize``) into a temporary folder; every (format, threads) pair is measured once
per round, in turn, so load drift on a shared host hits them alike. Answer tokens are timed as
single-token decodes after the prompt, as in generation.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import tempfile
import time
from pathlib import Path

from benchmark.models.gguf import QWEN25_CODER_05B, assemble
from benchmark.prompts import KeySampling, build_prompt
from benchmark.tasks import TaskRegistry, load_documents

ROOT = Path(__file__).resolve().parents[1]


@contextlib.contextmanager
def quiet_stderr():
    """llama.cpp's quantiser writes a line per tensor to file descriptor 2."""
    saved = os.dup(2)
    with open(os.devnull, "w") as null:
        os.dup2(null.fileno(), 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def requantise(src: Path, fmt: str, out_dir: Path) -> Path:
    import llama_cpp

    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = getattr(llama_cpp, f"LLAMA_FTYPE_MOSTLY_{fmt.upper()}")
    params.allow_requantize = True
    out = out_dir / f"{fmt}.gguf"
    with quiet_stderr():
        rc = llama_cpp.llama_model_quantize(str(src).encode(), str(out).encode(), params)
    if rc != 0:
        raise SystemExit(f"llama_model_quantize failed for {fmt}")
    return out


def prompt_text() -> str:
    task = TaskRegistry([ROOT / "rlvr/tasks"]).get("med-lab-en-header")
    doc = load_documents(task, "test", 1)[0]
    return build_prompt(task, doc, sampling=KeySampling.parse("random:3"), use_image=False, use_ocr=True).text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--formats", default="q8_0,f16", help="llama.cpp file types besides the packaged one")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--answer-tokens", type=int, default=20)
    args = parser.parse_args()

    import llama_cpp

    packaged = assemble(QWEN25_CODER_05B)
    with tempfile.TemporaryDirectory() as tmp:
        files = {"packaged (Q4_K_M)": packaged}
        files |= {f: requantise(packaged, f, Path(tmp)) for f in args.formats.split(",") if f}
        models = {name: llama_cpp.Llama(str(p), n_ctx=4096, verbose=False) for name, p in files.items()}
        chat = next(iter(models.values())).tokenize(
            f"<|im_start|>user\n{prompt_text()}<|im_end|>\n<|im_start|>assistant\n".encode(), special=True
        )
        threads = [int(t) for t in args.threads.split(",")]
        pp: dict[tuple[str, int], list[float]] = {}
        gen: dict[tuple[str, int], list[float]] = {}
        for _ in range(args.rounds):
            for name, llm in models.items():
                for n in threads:
                    llama_cpp.llama_set_n_threads(llm.ctx, n, n)
                    llm.reset()
                    t0 = time.perf_counter()
                    llm.eval(chat)
                    pp.setdefault((name, n), []).append(len(chat) / (time.perf_counter() - t0))
                    t0 = time.perf_counter()
                    for tok in chat[: args.answer_tokens]:
                        llm.eval([tok])
                    gen.setdefault((name, n), []).append(args.answer_tokens / (time.perf_counter() - t0))
        print(f"{len(chat)}-token lab prompt, {args.answer_tokens} answer tokens, {args.rounds} rounds "
              "(median [min, max])")
        for (name, n), rates in pp.items():
            g = gen[(name, n)]
            print(f"{name:>18} {n} thread(s): prompt {statistics.median(rates):4.0f} tok/s "
                  f"[{min(rates):.0f}, {max(rates):.0f}]   answer {statistics.median(g):5.1f} tok/s "
                  f"[{min(g):.1f}, {max(g):.1f}]   {files[name].stat().st_size / 2**20:5.0f} MiB")


if __name__ == "__main__":
    main()
