"""`evidencekit app`: it finds the app's files, starts Streamlit on a loopback port, says where, answers on
/_stcore/health, and stops (the server with it) when asked to."""
from __future__ import annotations

import socket
import time
import urllib.request

from .appbrowser import workbench

from evidencekit.cli import main
from evidencekit.cli.app import app_path, command


def test_the_launcher_starts_the_app_says_where_and_stops(tmp_path):
    with workbench(tmp_path) as (url, proc):
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=10) as r:
            assert r.read().strip() == b"ok"
        with urllib.request.urlopen(url, timeout=10) as r:
            assert b"<title>" in r.read()
        port = int(url.rsplit(":", 1)[1])
        ready = f"The workbench is ready: http://localhost:{port}"
        deadline = time.monotonic() + 60  # the launcher polls the health check on its own clock
        while ready not in (said := (tmp_path / "launcher.log").read_text(encoding="utf-8", errors="replace")):
            assert time.monotonic() < deadline, said
            time.sleep(0.2)
        assert "offline: ILOSTAT figures from the embedded snapshot" in said
    assert proc.poll() is not None  # the launcher stopped
    with socket.socket() as s:  # and the server with it: nothing listens on the port any more
        assert s.connect_ex(("127.0.0.1", port)) != 0


def test_the_launcher_runs_the_app_files_with_their_settings():
    path = app_path()
    assert path.name == "streamlit_app.py" and (path.parent / ".streamlit" / "config.toml").is_file()
    cmd = command(path, "127.0.0.1", 8765)
    assert cmd[1:4] == ["-m", "streamlit", "run"] and "--server.port" in cmd and "8765" in cmd


def test_a_bad_port_is_a_plain_error(capsys):
    assert main(["app", "--port", "70000", "--no-browser"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --port 70000: is not a port number")
    assert "Traceback" not in err
