"""A stand-in for ``llama_cpp.server`` that behaves like a busy or a loading one (run by the
llama.cpp adapter's launcher as ``server_module``; flags as ``llama_cpp.server``'s).

Environment: ``MEDVIE_TEST_HANG=1``: every chat request hangs, and SIGTERM is ignored (a llama.cpp
server finishes the generation in flight before it obeys SIGTERM); ``MEDVIE_TEST_START_DELAY=S``:
listens only after S seconds (a model still loading); ``MEDVIE_TEST_MARK=FILE``: FILE is created
when a chat request arrives; ``MEDVIE_TEST_FAIL=1``: exits at once with an error (a model that
does not load). Without them it answers like ``tests/fault_server.py``.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fault_server import FaultServer


class MarkingServer(FaultServer):
    def keep(self, body: dict[str, Any], headers: dict[str, str]) -> None:
        super().keep(body, headers)
        mark = os.environ.get("MEDVIE_TEST_MARK")
        if mark:
            Path(mark).touch()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--model_alias", default="fault")
    args, _unknown = parser.parse_known_args()
    if os.environ.get("MEDVIE_TEST_FAIL") == "1":
        sys.exit("error loading model: injected failure")
    time.sleep(float(os.environ.get("MEDVIE_TEST_START_DELAY", "0")))
    hang = os.environ.get("MEDVIE_TEST_HANG") == "1"
    if hang:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    server = MarkingServer("hang" if hang else "ok", host=args.host, port=args.port, hang_s=600,
                           model=args.model_alias)
    server.httpd.serve_forever(poll_interval=0.05)


if __name__ == "__main__":
    main()
