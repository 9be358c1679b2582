"""A fault-injecting OpenAI-compatible server for tests (a real HTTP server on 127.0.0.1).

Each chat request's behaviour is chosen deterministically from its prompt text: a marker
``FAULT=<name>`` in the text picks it, else ``default``. ``<name>_once`` fails only on the first
attempt for that prompt, then answers normally. The normal answer is the JSON object after
``ANSWER=`` in the text (``{}`` if none).

Faults: ok, 429, 500, 503, reset (TCP RST), hang (no reply until ``hang_s``), truncated
(Content-Length larger than sent), huge (``huge_bytes`` body), garbage (not JSON), length
(finish_reason "length" with cut JSON), error200 (200 with an ``error`` object), auth (401 that
echoes the Authorization header, to test that keys are scrubbed). ``requests`` keeps the last
request bodies and headers.

As a script it stands in for ``llama_cpp.server`` (``--host``, ``--port``, other flags ignored).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import signal
import socket
import struct
import sys
import threading
from collections import Counter, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

FAULT_RE = re.compile(r"FAULT=([a-z0-9_]+)")
ANSWER_RE = re.compile(r"ANSWER=(\{.*?\})\s*$", re.M)


def prompt_text(body: dict[str, Any]) -> str:
    parts: list[str] = []
    for msg in body.get("messages", []):
        content = msg.get("content")
        if isinstance(content, str):
            parts.append(content)
        elif isinstance(content, list):
            parts += [p.get("text", "") for p in content if isinstance(p, dict)]
    return "\n".join(parts)


def completion(content: str, finish: str = "stop", model: str = "fault") -> dict[str, Any]:
    return {
        "id": "chatcmpl-fault",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [
            {
                "index": 0,
                "finish_reason": finish,
                "message": {"role": "assistant", "content": content},
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: FaultServer._Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path.rstrip("/").endswith("/models"):
            self._send(
                200,
                {"object": "list", "data": [{"id": self.server.owner.model, "object": "model"}]},
            )
        else:
            self._send(404, {"error": {"message": "not found"}})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            self._send(400, {"error": {"message": "bad JSON"}})
            return
        owner = self.server.owner
        owner.keep(body, {k.lower(): v for k, v in self.headers.items()})
        text = prompt_text(body)
        fault = owner.choose(text)
        owner.record(fault)
        getattr(self, f"_fault_{fault}", self._fault_ok)(text, owner)

    def _fault_ok(self, text: str, owner: FaultServer) -> None:
        m = ANSWER_RE.search(text)
        self._send(200, completion(m.group(1) if m else "{}", model=owner.model))

    def _status(self, code: int, owner: FaultServer) -> None:
        headers = {"Retry-After": owner.retry_after} if code in (429, 503) else {}
        self._send(code, {"error": {"message": f"injected {code}", "type": "fault"}}, headers)

    def _fault_429(self, text: str, owner: FaultServer) -> None:
        self._status(429, owner)

    def _fault_500(self, text: str, owner: FaultServer) -> None:
        self._status(500, owner)

    def _fault_503(self, text: str, owner: FaultServer) -> None:
        self._status(503, owner)

    def _fault_reset(self, text: str, owner: FaultServer) -> None:
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    def _fault_hang(self, text: str, owner: FaultServer) -> None:
        owner.stopping.wait(owner.hang_s)
        self.close_connection = True

    def _fault_truncated(self, text: str, owner: FaultServer) -> None:
        data = json.dumps(completion('{"a": 1}')).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data) + 1000))
        self.end_headers()
        self.wfile.write(data[: len(data) // 2])
        self.wfile.flush()
        self.close_connection = True

    def _fault_huge(self, text: str, owner: FaultServer) -> None:
        try:
            self._send(200, owner.huge_body())
        except OSError:  # the client hung up early: that is the point
            self.close_connection = True

    def _fault_garbage(self, text: str, owner: FaultServer) -> None:
        self._send(200, b"\x00\xffnot json {{{")

    def _fault_length(self, text: str, owner: FaultServer) -> None:
        self._send(200, completion('{"name": "cut', finish="length"))

    def _fault_auth(self, text: str, owner: FaultServer) -> None:
        self._send(401, {"error": {"message": f"bad key: {self.headers.get('Authorization')}"}})

    def _fault_error200(self, text: str, owner: FaultServer) -> None:
        self._send(200, {"error": {"message": "model overloaded"}})


class FaultServer:
    """``with FaultServer() as srv: srv.url`` → ``http://127.0.0.1:PORT/v1``."""

    class _Server(ThreadingHTTPServer):
        daemon_threads = True
        block_on_close = False
        request_queue_size = 256
        owner: FaultServer

        def handle_error(self, request: Any, client_address: Any) -> None:
            pass  # clients hanging up mid-reply are expected here

    def __init__(
        self,
        default: str = "ok",
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        hang_s: float = 5.0,
        retry_after: str = "0",
        huge_bytes: int = 10 << 20,
        model: str = "fault",
    ) -> None:
        self.default, self.hang_s, self.retry_after = default, hang_s, retry_after
        self.huge_bytes, self.model = huge_bytes, model
        self.stopping = threading.Event()
        self.served: Counter[str] = Counter()
        self.attempts: Counter[str] = Counter()
        self.requests: deque[tuple[dict[str, Any], dict[str, str]]] = deque(maxlen=50)
        self._lock = threading.Lock()
        self._huge: bytes | None = None
        self.httpd = self._Server((host, port), _Handler)
        self.httpd.owner = self
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def choose(self, text: str) -> str:
        m = FAULT_RE.search(text)
        fault = m.group(1) if m else self.default
        with self._lock:
            self.attempts[text] += 1
            attempt = self.attempts[text]
        if fault.endswith("_once"):
            return fault[: -len("_once")] if attempt == 1 else "ok"
        return fault

    def huge_body(self) -> bytes:
        with self._lock:
            if self._huge is None:
                filler = "x" * self.huge_bytes
                self._huge = json.dumps(completion(json.dumps({"v": filler}))).encode()
            return self._huge

    def keep(self, body: dict[str, Any], headers: dict[str, str]) -> None:
        self.requests.append((body, headers))

    def record(self, fault: str) -> None:
        with self._lock:
            self.served[fault] += 1

    def start(self) -> FaultServer:
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> FaultServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--default", default="ok")
    parser.add_argument("--model_alias", default="fault")
    args, _unknown = parser.parse_known_args(argv)
    server = FaultServer(args.default, host=args.host, port=args.port, model=args.model_alias)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"fault server on {server.url}", file=sys.stderr, flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.httpd.serve_forever(poll_interval=0.05)
    return 0


if __name__ == "__main__":
    sys.exit(main())
