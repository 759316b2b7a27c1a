"""``evidencekit app``: start the workbench (the Streamlit app of the course) on this machine.

Runs ``streamlit run <the app's entry file>`` (as ``python -m evidencekit.cli.server run …``: see
:mod:`evidencekit.cli.server`) on a local address, waits until the app answers, prints
its address and opens it in the browser. The app's own settings (no traceback on screen, no usage statistics,
no file watching, upload size) are in ``.streamlit/config.toml`` beside its entry file, so they hold however it
is started. ``--offline`` (or ``EVIDENCEKIT_OFFLINE=1``) keeps it off the network: ILOSTAT figures then come
from the snapshot embedded in evidencekit.

The app's files are found in a checkout (``app/`` beside ``src/``) or, when evidencekit is installed from a
wheel, inside the package (``evidencekit/_bundled/app``, copied there by the build).

>>> app_path().name
'streamlit_app.py'
"""
from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from evidencekit.errors import EvidenceKitError

READY_TIMEOUT = 90.0  # seconds to wait for the first answer (a cold start imports pandas and matplotlib)


def app_path() -> Path:
    """The app's entry file: the checkout's ``app/streamlit_app.py``, else the copy installed with the package."""
    package = Path(__file__).resolve().parents[1]
    for candidate in (package.parents[1] / "app" / "streamlit_app.py",
                      package / "_bundled" / "app" / "streamlit_app.py"):
        if candidate.is_file():
            return candidate
    raise EvidenceKitError("Starting the workbench", "its files are not in this installation of evidencekit",
                           "reinstall evidencekit (pip install evidencekit), or run it from a checkout of the project")


def free_port(address: str, start: int = 8501, tries: int = 50) -> int:
    """The first port from ``start`` nothing listens on at ``address``."""
    for port in range(start, start + tries):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind((address, port))
            except OSError:
                continue
            return port
    raise EvidenceKitError("Starting the workbench", f"ports {start} to {start + tries - 1} are all in use",
                           "choose one with --port")


def command(path: Path, address: str, port: int) -> list[str]:
    """The ``streamlit run`` command line, through :mod:`evidencekit.cli.server` (which sends each connection's
    small messages at once); the rest of the settings are in the app's config.toml."""
    return [sys.executable, "-m", "evidencekit.cli.server", "run", str(path), "--server.address", address,
            "--server.port", str(port), "--server.headless", "true", "--global.developmentMode", "false"]


def wait_until_ready(url: str, proc: subprocess.Popen, timeout: float = READY_TIMEOUT) -> bool:
    """Poll ``/_stcore/health`` until it answers ``ok``; False if the server stopped or never answered."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.read().strip() == b"ok":
                    return True
        except OSError:
            pass
        time.sleep(0.25)
    return False


def stop(proc: subprocess.Popen, timeout: float = 10) -> None:
    """Terminate ``proc`` if it still runs; kill it if it has not stopped after ``timeout`` seconds."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def log_file() -> Path:
    """Where the server's log goes (the details of any error a participant was spared)."""
    import platformdirs

    folder = Path(platformdirs.user_log_dir("evidencekit", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return folder / "app.log"


def _tail(path: Path, lines: int = 3) -> str:
    try:
        return " ".join(path.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-lines:])
    except OSError:
        return ""


def _stop_on_sigterm() -> None:
    """A terminate signal stops the server too (it is turned into Ctrl+C, so the server is shut down)."""
    import signal
    import threading

    if threading.current_thread() is threading.main_thread() and hasattr(signal, "SIGTERM"):
        def stop(signum, frame):
            raise KeyboardInterrupt
        signal.signal(signal.SIGTERM, stop)


def cmd_app(args, out) -> int:
    try:
        import streamlit  # noqa: F401
    except ImportError:
        raise EvidenceKitError("Starting the workbench", "Streamlit is not installed",
                               "install evidencekit with its dependencies: pip install evidencekit") from None
    if args.port is not None and not 1 <= args.port <= 65535:
        raise EvidenceKitError(f"--port {args.port}", "is not a port number", "choose a number from 1024 to 65535")
    path = app_path()
    address = args.address
    port = args.port or free_port(address)
    env = dict(os.environ)
    if args.offline:
        env["EVIDENCEKIT_OFFLINE"] = "1"
    env.setdefault("PYTHONUNBUFFERED", "1")
    env.setdefault("EVIDENCEKIT_APP_WORKERS", str(min(4, os.cpu_count() or 1)))  # charts drawn on every core
    host = "localhost" if address in ("127.0.0.1", "localhost") else address
    url = f"http://{host}:{port}"
    offline = env.get("EVIDENCEKIT_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")
    log = log_file()
    print(f"Starting the evidencekit workbench at {url} "
          f"({'offline: ILOSTAT figures from the embedded snapshot' if offline else 'ILOSTAT live when reachable'})…",
          file=out, flush=True)
    _stop_on_sigterm()
    with open(log, "ab") as sink:
        proc = subprocess.Popen(command(path, address, port), env=env,
                                stdout=None if args.verbose else sink, stderr=None if args.verbose else sink)
    try:
        probe = f"http://{'127.0.0.1' if host == 'localhost' else host}:{port}"
        if not wait_until_ready(probe, proc):
            detail = "" if args.verbose else _tail(log)
            raise EvidenceKitError("Starting the workbench", "it did not start" + (f" ({detail})" if detail else ""),
                                   f"try another port with --port, or read the log: {log}")
        print(f"The workbench is ready: {url}  (press Ctrl+C to stop it; server log: {log})", file=out, flush=True)
        if not args.no_browser:
            import webbrowser

            webbrowser.open(url)
        return proc.wait()
    except KeyboardInterrupt:
        print("Stopping the workbench…", file=out, flush=True)
        return 0
    finally:
        stop(proc)


def register(sub, missing) -> None:
    """Add ``app`` to the ``evidencekit`` parser."""
    a = sub.add_parser("app", help="start the workbench (the course's app) in the browser",
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       description="Start the evidencekit workbench: the six course modules as guided exercises, the "
                                   "Data explorer, the Microdata workbench, the evidence board and the brief builder.",
                       epilog="examples:\n  evidencekit app\n  evidencekit app --offline      # a webinar with the "
                              "network off\n  evidencekit app --port 8600 --no-browser")
    a.add_argument("--port", type=int, metavar="N", help="the port (default: the first free one from 8501)")
    a.add_argument("--address", default="127.0.0.1", metavar="ADDR",
                   help="the address to listen on (default 127.0.0.1: this machine only)")
    a.add_argument("--offline", action="store_true", help="never touch the network (figures from the embedded snapshot)")
    a.add_argument("--no-browser", action="store_true", help="do not open a browser")
    a.add_argument("--verbose", action="store_true", help="show the server's log")
    a.set_defaults(func=cmd_app)
