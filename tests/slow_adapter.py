"""A test adapter (loaded as ``tests.slow_adapter:SlowEcho``): answers the gold JSON after a delay,
so a run can be killed part-way. Every other document gets a wrong value, so metrics are not trivial.
``options.weights`` names a file it declares as its weights, as adapters that load local files do."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from benchmark.models.base import Generation


class SlowEcho:
    def __init__(self, spec):
        self.delay = float(spec.options.get("delay_s", 0.02))

    @staticmethod
    def weights_files(spec):
        return {"model": Path(spec.options["weights"])} if "weights" in spec.options else {}

    async def generate(self, prompt):
        await asyncio.sleep(self.delay)
        gt = dict(prompt.document.gt)
        if int(prompt.document.id.lstrip("d")) % 2:
            gt["total"] = "0.00"
        return Generation(raw=json.dumps(gt), latency_s=self.delay, tokens_in=10, tokens_out=5)

    async def aclose(self):
        return None
