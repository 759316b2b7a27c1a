"""The workbench's server process: ``streamlit run``, with every connection sending its messages at once, and
no page left blank by a click that leaves a page.

``evidencekit app`` starts ``python -m evidencekit.cli.server run <entry file> [Streamlit options]``, which is
``python -m streamlit run …`` with two differences, each mending a fault of Streamlit 1.67 that participants
meet:

1. Nagle's algorithm is off (``TCP_NODELAY``) on every connection the server accepts (:func:`send_at_once`);
2. a panel's rerun that reaches the server after the participant has left its page is dropped
   (:func:`stay_on_the_page`).

**1. Messages sent at once.** Why: Streamlit 1.67 binds its listening socket itself, as ``socket.socket(family)``:
protocol 0. asyncio turns Nagle off only on connections whose socket says it is TCP
(``asyncio.base_events._set_nodelay`` checks ``sock.proto == IPPROTO_TCP``), so every browser's connection kept
Nagle on. A click's answer is a few small messages; with Nagle on, the second one waits until the browser's
machine acknowledges the first, and it delays that acknowledgement (40 ms on Linux, up to 200 ms on Windows; over
a network, at least a round trip). Measured on loopback (``python bench/bench_load.py --rerun-vs-bare``): a bare
page's click 48 → 6–10 ms, a step's change of countries 19 → 9–12 ms. How: the listening socket Streamlit binds is
handed back as the same socket declared TCP (so asyncio sets ``TCP_NODELAY`` on each connection it accepts, as it
does for any server it creates itself), with ``TCP_NODELAY`` set on it too (Linux passes it on to accepted
connections). Should Streamlit's private ``_bind_socket`` move, the server starts as plain ``streamlit run`` and
says so in its log.

**2. No blank page.** Why: a panel that reruns alone is a Streamlit fragment. When the participant changes a
field in one (text typed, a menu opened) and then clicks another page in the sidebar, the browser sends the
page switch first and the field's change after it, as a rerun of the fragment on the page being left. Streamlit
runs the new page, then that fragment's run: the fragment is gone, so nothing is drawn, but the run still tells
the browser it is on the old page, and the browser clears the main area. The participant sees the sidebar and an
empty page until they click again (found by ``tests/app/test_app_browser.py``: the brief's "Other formats" menu
open, a download, then Home; a plain two-page app with one fragment shows it too).

How: the server notes the page each session is on, from the page a participant's click asks for and the page the
browser is then sent to (Streamlit's navigation message, or a page run by its own hash); a fragment's rerun asked
from another page is dropped, with a line in the server's log. The page left is not drawn again, so the change it
carried has nowhere to go. Should Streamlit's session move these methods, the server starts without this and says
so in its log. (The same field outside a fragment and outside a form sends a rerun of the whole page left, which
takes the participant back to it; a click back to that page sends the same kind of request (with the sidebar's
fields), so the workbench keeps every such field in a form or a fragment: ``docs/app.md``.)

>>> listening = socket.socket(); listening.bind(("127.0.0.1", 0)); listening.listen()
>>> tcp = declared_tcp(listening)  # what the server's own socket becomes
>>> tcp.proto == socket.IPPROTO_TCP, tcp.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
(True, True)
>>> tcp.close()
"""
from __future__ import annotations

import contextlib
import inspect
import socket
import sys
from typing import Callable, Sequence


def declared_tcp(sock: socket.socket) -> socket.socket:
    """``sock`` (a bound, listening TCP socket) as a socket object whose protocol is ``IPPROTO_TCP``, with
    ``TCP_NODELAY`` set: the same file descriptor, options and blocking mode; ``sock`` itself is detached."""
    if sock.family not in (socket.AF_INET, socket.AF_INET6) or sock.type != socket.SOCK_STREAM:
        return sock
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if sock.proto == socket.IPPROTO_TCP:
        return sock
    return socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())


def send_at_once() -> bool:
    """Make the Streamlit server's listening socket a declared TCP socket with ``TCP_NODELAY`` (see the module's
    docstring); False (and a line on stderr, the server's log) when this Streamlit binds its socket elsewhere."""
    try:
        from streamlit.web.server.starlette import starlette_server
    except ImportError:
        starlette_server = None
    bind: Callable | None = getattr(starlette_server, "_bind_socket", None)
    if bind is None:
        print("evidencekit: this Streamlit binds its socket elsewhere; connections keep Nagle's algorithm on "
              "(small messages may wait for the browser's acknowledgement)", file=sys.stderr, flush=True)
        return False
    if getattr(bind, "evidencekit_tcp", False):
        return True

    def _bind_socket(*args, **kwargs) -> socket.socket:
        return declared_tcp(bind(*args, **kwargs))

    _bind_socket.evidencekit_tcp = True  # type: ignore[attr-defined]
    starlette_server._bind_socket = _bind_socket
    return True


def page_left(on: str, asked_from: str) -> bool:
    """Whether a fragment's rerun asked from page ``asked_from`` comes after the session went to page ``on``
    (Streamlit page hashes; ``""`` when not known, and then nothing is dropped).

    >>> page_left("home", "brief"), page_left("brief", "brief"), page_left("", "brief"), page_left("home", "")
    (True, False, False, False)
    """
    return bool(on) and bool(asked_from) and on != asked_from


def stay_on_the_page() -> bool:
    """Drop a fragment's rerun asked from a page the session has left (see the module's docstring, 2); False
    (and a line on stderr, the server's log) when this Streamlit's session has not the methods it wraps."""
    try:
        from streamlit.logger import get_logger
        from streamlit.runtime.app_session import AppSession
        from streamlit.runtime.scriptrunner import ScriptRunnerEvent
    except ImportError:
        AppSession = ScriptRunnerEvent = None
    request: Callable | None = getattr(AppSession, "request_rerun", None)
    handle: Callable | None = getattr(AppSession, "_handle_scriptrunner_event_on_event_loop", None)
    if request is None or handle is None or not hasattr(ScriptRunnerEvent, "ENQUEUE_FORWARD_MSG"):
        print("evidencekit: this Streamlit's session has no request_rerun or event handler to wrap; a panel's "
              "change sent as the participant leaves its page may leave the next page blank", file=sys.stderr,
              flush=True)
        return False
    if getattr(request, "evidencekit_page", False):
        return True
    after_event = list(inspect.signature(handle).parameters)[3:]  # self, sender, event, then these
    if not {"forward_msg", "page_script_hash", "fragment_ids_this_run"} <= set(after_event):
        print("evidencekit: this Streamlit's session events say other things; a panel's change sent as the "
              "participant leaves its page may leave the next page blank", file=sys.stderr, flush=True)
        return False

    def said(args: tuple, kwargs: dict, name: str):
        at = after_event.index(name)
        return args[at] if at < len(args) else kwargs.get(name)

    started, told_browser = ScriptRunnerEvent.SCRIPT_STARTED, ScriptRunnerEvent.ENQUEUE_FORWARD_MSG
    log = get_logger("evidencekit.server")  # in the server's log, as Streamlit's own lines

    def request_rerun(self, client_state=None, *args, **kwargs):
        if client_state is not None:  # both run on the session's event loop: no lock needed
            asked_from = client_state.page_script_hash
            if not client_state.fragment_id:
                self._evidencekit_page = asked_from  # "" when a page is named by its URL only: known once it runs
            elif page_left(getattr(self, "_evidencekit_page", ""), asked_from):
                log.info("evidencekit: dropped the rerun of fragment %s, asked from page %s after the session "
                         "went to page %s", client_state.fragment_id, asked_from, self._evidencekit_page)
                return None
        return request(self, client_state, *args, **kwargs)

    def on_event(self, sender, event, *args, **kwargs):
        if (event is told_browser or event is started) and sender is getattr(self, "_scriptrunner", None):
            message = said(args, kwargs, "forward_msg")
            if message is not None and message.WhichOneof("type") == "navigation":
                self._evidencekit_page = message.navigation.page_script_hash  # the page the browser is sent to
            elif event is started and not said(args, kwargs, "fragment_ids_this_run"):
                page = said(args, kwargs, "page_script_hash") or ""
                if page and page != getattr(getattr(self, "_pages_manager", None), "main_script_hash", page):
                    self._evidencekit_page = page  # a page run by its hash (st.navigation says it otherwise)
        return handle(self, sender, event, *args, **kwargs)

    request_rerun.evidencekit_page = True  # type: ignore[attr-defined]
    AppSession.request_rerun = request_rerun
    AppSession._handle_scriptrunner_event_on_event_loop = on_event
    return True


def main(argv: Sequence[str] | None = None) -> None:
    """Run Streamlit's own command line (``streamlit run …``) in this process: connections sent at once, and no
    fragment rerun of a page left."""
    send_at_once()
    stay_on_the_page()
    from streamlit.web.cli import main as streamlit_main

    streamlit_main(args=list(sys.argv[1:] if argv is None else argv), prog_name="streamlit")


if __name__ == "__main__":
    main()
