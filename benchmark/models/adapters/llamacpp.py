"""Local GGUF models on a managed llama.cpp server (``llama_cpp.server``, OpenAI-compatible).

The adapter starts ``llama_cpp.server`` (through ``benchmark.models.adapters.llamacpp_server``,
which makes greedy JSON-mode decoding faster with identical output) on a free 127.0.0.1 port in
its own process group, waits for ``/v1/models``, and hands generation to :class:`OpenAIAdapter`.
The server is stopped by ``aclose()``, at interpreter exit, on SIGTERM/SIGHUP, and (Linux) when
this process dies (``PR_SET_PDEATHSIG``), so an interrupted run leaves no server behind. On Ctrl-C
(the run's task is being cancelled) start-up gives up at once and the server gets SIGKILL after
``INTERRUPT_GRACE_S``: a busy llama.cpp server finishes its generation before it obeys SIGTERM.
With ``base_url`` set, an already running server is used instead.

Options: gguf (a packaged model name, see ``benchmark.models.gguf``; or ``checkpoint: FILE``),
n_ctx (4096), n_threads (CPU count), chat_format, server_args (extra CLI flags),
startup_timeout_s (180), log_file (keep the server's output there), server_module
(default ``benchmark.models.adapters.llamacpp_server``; ``llama_cpp.server`` for the unpatched
server; a ``.py`` path for tests), and the OpenAI adapter's options (extra_body
for ``repeat_penalty`` etc.).
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import weakref
from pathlib import Path
from typing import NoReturn

from benchmark.models.adapters.openai_compat import OpenAIAdapter
from benchmark.models.base import Generation, ModelError
from benchmark.models.gguf import resolve_gguf
from benchmark.models.spec import ModelSpec
from benchmark.prompts import Prompt

DEFAULT_SERVER_MODULE = "benchmark.models.adapters.llamacpp_server"
STOP_GRACE_S = 5.0  # SIGTERM → SIGKILL when a run ends normally
INTERRUPT_GRACE_S = 0.3  # ... and when it is interrupted (Ctrl-C)

# Runs in the child before the server: die with the parent (Linux), then run the server module.
_LAUNCHER = """\
import ctypes, os, runpy, signal, sys
try:
    ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
except Exception:
    pass
if os.getppid() != int(os.environ.pop("MEDVIE_PARENT_PID")):
    sys.exit("medvie-bench: parent exited before the server started")
target = sys.argv[1]
sys.argv = sys.argv[1:]
if target.endswith(".py"):
    runpy.run_path(target, run_name="__main__")
else:
    runpy.run_module(target, run_name="__main__", alter_sys=True)
"""

_LIVE: weakref.WeakSet[LlamaCppServer] = weakref.WeakSet()
_HOOKS_LOCK = threading.Lock()
_hooks_installed = False


def _stop_all() -> None:
    for server in list(_LIVE):
        server.stop(grace_s=3.0)


def _on_signal(signum: int, frame: object) -> None:
    _stop_all()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def _install_hooks() -> None:
    """atexit, plus SIGTERM/SIGHUP handlers where none is set (SIGINT already unwinds to
    ``aclose()`` through KeyboardInterrupt)."""
    global _hooks_installed
    with _HOOKS_LOCK:
        if _hooks_installed:
            return
        _hooks_installed = True
        atexit.register(_stop_all)
        if threading.current_thread() is not threading.main_thread():
            return
        for sig in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
            if sig is not None and signal.getsignal(sig) == signal.SIG_DFL:
                signal.signal(sig, _on_signal)


def cancel_requested() -> bool:
    """Whether the asyncio task this is called from (synchronously) is being cancelled: under
    ``asyncio.run`` that is what Ctrl-C does, and blocking code should give up."""
    try:
        task = asyncio.current_task()
    except RuntimeError:  # no event loop in this thread
        return False
    cancelling = getattr(task, "cancelling", None)  # Python ≥ 3.11
    return bool(cancelling and cancelling())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LlamaCppServer:
    """One ``llama_cpp.server`` subprocess; ``start()`` returns its ``/v1`` URL."""

    def __init__(
        self,
        model: Path,
        *,
        alias: str,
        n_ctx: int = 4096,
        n_threads: int | None = None,
        chat_format: str | None = None,
        extra_args: list[str] | None = None,
        module: str = DEFAULT_SERVER_MODULE,
        startup_timeout_s: float = 180.0,
        log_file: str | Path | None = None,
    ) -> None:
        self.model, self.alias, self.module = model, alias, module
        self.args = ["--n_ctx", str(n_ctx), "--n_threads", str(n_threads or os.cpu_count() or 1),
                     # the server's default computes logits for every prompt token (for
                     # logprobs, never asked for): 7–16 % of the time of a 650-token lab-report query
                     "--logits_all", "false"]
        if chat_format:
            self.args += ["--chat_format", chat_format]
        self.args += [str(a) for a in extra_args or []]
        self.startup_timeout_s = startup_timeout_s
        self.proc: subprocess.Popen[bytes] | None = None
        self.url: str | None = None
        self.log_file = Path(log_file).expanduser() if log_file else None
        self._log_fd: int | None = None
        self._lock = threading.Lock()

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def start(self) -> str:
        for attempt in range(3):
            try:
                return self._start_once()
            except ModelError as exc:
                if "address already in use" not in str(exc).lower() or attempt == 2:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _start_once(self) -> str:
        port = free_port()
        cmd = [sys.executable, "-c", _LAUNCHER, self.module, "--model", str(self.model)]
        cmd += ["--host", "127.0.0.1", "--port", str(port), "--model_alias", self.alias, *self.args]
        self._open_log()
        env = {**os.environ, "MEDVIE_PARENT_PID": str(os.getpid())}
        _install_hooks()
        self.proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=self._log_fd,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
        _LIVE.add(self)
        self.url = f"http://127.0.0.1:{port}/v1"
        try:
            self._wait_ready()
        except BaseException:  # Ctrl-C during start-up: no server is left behind
            self.stop(grace_s=INTERRUPT_GRACE_S)
            raise
        return self.url

    def _open_log(self) -> None:
        """The server's output: ``log_file`` if given, else an unlinked temporary file (nothing
        is left behind, even if this process is killed)."""
        if self._log_fd is not None:
            os.close(self._log_fd)
        if self.log_file:
            self.log_file.parent.mkdir(parents=True, exist_ok=True)
            self._log_fd = os.open(self.log_file, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
        else:
            self._log_fd, name = tempfile.mkstemp(prefix="medvie-llamacpp-", suffix=".log")
            os.unlink(name)

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout_s
        delay = 0.1
        while time.monotonic() < deadline:
            if cancel_requested():
                raise asyncio.CancelledError
            if self.proc is None or self.proc.poll() is not None:
                code = self.proc.returncode if self.proc else None
                self._fail(f"exited during start-up (exit code {code}) for {self.model}")
            try:
                with urllib.request.urlopen(f"{self.url}/models", timeout=1) as resp:
                    if resp.status == 200:
                        return
            except OSError:
                pass
            time.sleep(delay)
            delay = min(0.5, delay * 1.5)
        self._fail(f"did not answer {self.url}/models within {self.startup_timeout_s:g} s")

    def _fail(self, what: str) -> NoReturn:
        tail = self.log_tail()
        self.stop()
        where = f" (full log: {self.log_file})" if self.log_file else ""
        raise ModelError(f"the llama.cpp server {what}; its output ends with{where}:\n{tail}")

    def log_tail(self, lines: int = 30, max_bytes: int = 65536) -> str:
        if self._log_fd is None:
            return "  (no output)"
        size = os.fstat(self._log_fd).st_size
        data = os.pread(self._log_fd, max_bytes, max(0, size - max_bytes))
        text = data.decode(errors="replace").splitlines()[-lines:]
        return "\n".join(f"  | {line}" for line in text) or "  (no output)"

    def stop(self, grace_s: float = 5.0) -> None:
        """Terminate the server's process group (SIGTERM, then SIGKILL after ``grace_s``)."""
        with self._lock:
            proc, self.proc = self.proc, None
            _LIVE.discard(self)
            if proc is not None:
                _kill_group(proc, grace_s)
            if self._log_fd is not None:
                os.close(self._log_fd)
                self._log_fd = None


def _kill_group(proc: subprocess.Popen[bytes], grace_s: float) -> None:
    if proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, grace_s), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _lora_path(spec: ModelSpec) -> Path | None:
    """``options.lora``: a LoRA GGUF, relative to the spec file's folder when not absolute."""
    lora = spec.options.get("lora")
    if not lora:
        return None
    path = Path(lora)
    if not path.is_absolute() and spec.path is not None:
        path = spec.path.parent / path
    if not path.is_file():
        raise ModelError(f"{spec.path or spec.name}: options.lora: file not found: {path}")
    return path.resolve()


class LlamaCppAdapter:
    """A GGUF model served by a managed llama.cpp server (or one at ``base_url``)."""

    def __init__(self, spec: ModelSpec) -> None:
        opts = spec.options
        alias = spec.model_id or spec.name
        self.server: LlamaCppServer | None = None
        base_url = spec.base_url
        if base_url is None:
            files = self.weights_files(spec)
            lora = files.get("lora")
            self.server = LlamaCppServer(
                files["model"],
                alias=alias,
                n_ctx=int(opts.get("n_ctx", 4096)),
                n_threads=opts.get("n_threads"),
                chat_format=opts.get("chat_format"),
                extra_args=list(opts.get("server_args", [])) + (["--lora_path", str(lora)] if lora else []),
                module=str(opts.get("server_module", DEFAULT_SERVER_MODULE)),
                startup_timeout_s=float(opts.get("startup_timeout_s", 180)),
                log_file=opts.get("log_file"),
            )
            base_url = self.server.start()
        self.inner = OpenAIAdapter(
            spec.model_copy(update={"base_url": base_url, "model_id": alias, "api_key_env": None})
        )

    @staticmethod
    def weights_files(spec: ModelSpec) -> dict[str, Path]:
        """The GGUF and the LoRA the managed server loads (none for a server at ``base_url``)."""
        if spec.base_url is not None:
            return {}
        lora = _lora_path(spec)
        model = resolve_gguf(spec.checkpoint, spec.options.get("gguf"))
        return {"model": model, "lora": lora} if lora else {"model": model}

    async def generate(self, prompt: Prompt) -> Generation:
        return await self.inner.generate(prompt)

    async def aclose(self) -> None:
        try:
            await self.inner.aclose()
        finally:
            if self.server is not None:
                grace = INTERRUPT_GRACE_S if cancel_requested() else STOP_GRACE_S
                await asyncio.to_thread(self.server.stop, grace)
