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
    assert cmd[1:4] == ["-m", "evidencekit.cli.server", "run"] and "--server.port" in cmd and "8765" in cmd


def test_the_server_sends_each_connections_messages_at_once(monkeypatch):
    """A connection the server accepts has Nagle's algorithm off (TCP_NODELAY): a click's small messages are not
    held until the browser acknowledges the first one (40 ms a click on Linux; evidencekit.cli.server)."""
    import asyncio

    from streamlit.web.server.starlette import starlette_server

    from evidencekit.cli.server import send_at_once

    monkeypatch.setattr(starlette_server, "_bind_socket", starlette_server._bind_socket)  # put back afterwards
    assert send_at_once() and send_at_once()  # twice: wrapped once
    listener = starlette_server._bind_socket("127.0.0.1", 0, 8)  # as the server binds it
    port = listener.getsockname()[1]
    seen: list[int] = []

    class Answer(asyncio.Protocol):
        def connection_made(self, transport) -> None:
            seen.append(transport.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()

    async def one_connection() -> None:
        server = await asyncio.get_running_loop().create_server(Answer, sock=listener)  # as uvicorn serves it
        async with server:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            await reader.read()  # until the server closes it
            writer.close()

    asyncio.run(one_connection())
    assert len(seen) == 1 and seen[0] != 0


def test_the_server_drops_a_panels_rerun_asked_from_a_page_the_participant_has_left(monkeypatch):
    """Streamlit's session, wrapped as the server wraps it (evidencekit.cli.server.stay_on_the_page): a
    fragment's rerun from the page the session is on goes through; one from a page it has left is dropped, and
    what the browser is told (a navigation message, st.switch_page) moves the page. The browser test
    ``test_a_change_sent_as_the_participant_leaves_a_page_does_not_leave_the_next_page_blank`` shows why."""
    import inspect

    from streamlit.proto.ClientState_pb2 import ClientState
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from streamlit.runtime.app_session import AppSession
    from streamlit.runtime.scriptrunner import ScriptRunnerEvent

    from evidencekit.cli.server import stay_on_the_page

    asked, told = [], []

    def handle(self, sender, event, forward_msg=None, exception=None, client_state=None, page_script_hash=None,
               fragment_ids_this_run=None, pages=None, run_descriptor=None):  # Streamlit 1.67's parameters
        told.append(event)

    real = AppSession._handle_scriptrunner_event_on_event_loop
    assert inspect.signature(handle).parameters.keys() == inspect.signature(real).parameters.keys()
    monkeypatch.setattr(AppSession, "request_rerun", lambda self, state=None: asked.append(state.page_script_hash))
    monkeypatch.setattr(AppSession, "_handle_scriptrunner_event_on_event_loop", handle)
    assert stay_on_the_page() and stay_on_the_page()  # twice: wrapped once

    class Session:  # what the wrappers read of a session: its script runner and pages
        _scriptrunner = "runner"
        _pages_manager = type("Pages", (), {"main_script_hash": "main"})()
        request_rerun = AppSession.request_rerun
        on_event = AppSession._handle_scriptrunner_event_on_event_loop

    def state(page: str, fragment: str = "") -> ClientState:
        return ClientState(page_script_hash=page, fragment_id=fragment)

    def navigation(page: str) -> ForwardMsg:
        msg = ForwardMsg()
        msg.navigation.page_script_hash = page
        return msg

    s = Session()
    s.request_rerun(state("", "panel"))           # nothing known yet (a page named by its URL): let through
    s.request_rerun(state("brief"))               # the participant on the brief
    s.request_rerun(state("brief", "panel"))      # a panel of it: let through
    s.request_rerun(state("home"))                # a click on Home ...
    s.request_rerun(state("brief", "panel"))      # ... then the brief's panel change: dropped
    assert asked == ["", "brief", "brief", "home"]
    s.on_event("runner", ScriptRunnerEvent.SCRIPT_STARTED, None, None, None, "main", None)  # st.navigation's run
    s.request_rerun(state("brief", "panel"))      # still on Home: dropped
    s.on_event("runner", ScriptRunnerEvent.ENQUEUE_FORWARD_MSG, navigation("explorer"))  # st.switch_page
    s.request_rerun(state("explorer", "panel"))   # a panel of the page the browser was sent to: let through
    s.on_event("old runner", ScriptRunnerEvent.ENQUEUE_FORWARD_MSG, navigation("home"))  # a stopped run: not heard
    s.request_rerun(state("explorer", "panel"))
    s.on_event("runner", ScriptRunnerEvent.SCRIPT_STARTED, forward_msg=None, page_script_hash="board",
               fragment_ids_this_run=None)   # a page run by its hash
    s.request_rerun(state("explorer", "panel"))   # dropped
    s.request_rerun(state("board", "panel"))
    assert asked == ["", "brief", "brief", "home", "explorer", "explorer", "board"]
    assert len(told) == 4  # every event handed on to Streamlit


def test_a_bad_port_is_a_plain_error(capsys):
    assert main(["app", "--port", "70000", "--no-browser"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --port 70000: is not a port number")
    assert "Traceback" not in err
