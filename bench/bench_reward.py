"""Time the RLVR reward per completion (format + a·P + (1−a)·R over the shared scorer).

    python bench/bench_reward.py [--n 2000]

Completions mimic GRPO rollouts on a lab report: correct, partly wrong, list items reordered,
thinking mode, truncated and non-JSON outputs. Target: well under 1 ms per completion.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time

from rlvr.rewards import format_reward, make_match_reward


def _report(rng: random.Random, n_items: int) -> dict:
    items = [
        {
            "name": f"Test {i}",
            "result": f"{rng.uniform(0.1, 300):.2f}",
            "unit": rng.choice(["g/L", "mmol/L", "%"]),
            "reference": f"{rng.randint(1, 10)}-{rng.randint(11, 400)}",
            "flag": rng.choice(["", "H", "L"]),
        }
        for i in range(n_items)
    ]
    return {
        "patient_name": "Jane Roe",
        "sex": "F",
        "age": "54",
        "hospital": "General Hospital",
        "report_date": "2024-03-05",
        "specimen": "blood",
        "items": items,
    }


def _variants(rng: random.Random, gold: dict) -> list[str]:
    wrong = json.loads(json.dumps(gold))
    for it in wrong["items"][::3]:
        it["result"] = "0"
    shuffled = json.loads(json.dumps(gold))
    rng.shuffle(shuffled["items"])
    text = json.dumps(gold, ensure_ascii=False)
    return [
        text,
        json.dumps(wrong),
        json.dumps(shuffled),
        f"<think>reading the table</think><answer>{text}</answer>",
        text[: len(text) // 2],
        "I cannot read this document.",
        json.dumps({k: gold[k] for k in ("patient_name", "sex", "age")}),
    ]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000, help="completions to score")
    ap.add_argument("--items", type=int, default=20, help="lab rows per report")
    args = ap.parse_args()
    rng = random.Random(0)
    golds = [_report(rng, args.items) for _ in range(20)]
    comps, gts, keys = [], [], []
    while len(comps) < args.n:
        g = golds[len(comps) % len(golds)]
        for v in _variants(rng, g):
            comps.append(v)
            gts.append(json.dumps(g))
            keys.append(rng.choice([None, json.dumps(["patient_name", "items", "report_date"])]))
    comps, gts, keys = comps[: args.n], gts[: args.n], keys[: args.n]
    match = make_match_reward(0.5)
    header = json.dumps(["patient_name", "sex", "report_date"])
    scenarios = {
        "full report or 3 keys incl. the 20-row table": keys,
        "3 header keys (the CPU training queries)": [header] * len(comps),
    }
    print(f"completions: {len(comps)} ({args.items} lab rows per report, 5 leaf fields each)")
    for label, qkeys in scenarios.items():
        timings = []
        for _ in range(3):
            t0 = time.perf_counter()
            f = format_reward(comps, thinking=[False] * len(comps))
            m = match(comps, gt=gts, queried_keys=qkeys)
            timings.append((time.perf_counter() - t0) / len(comps))
        per = statistics.median(timings)
        print(
            f"{label}: {per * 1e3:.3f} ms per completion (format + match, median of 3 passes); "
            f"mean format {sum(f) / len(f):.3f}, mean match {sum(m) / len(m):.3f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
