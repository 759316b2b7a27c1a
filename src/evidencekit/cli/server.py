"""The workbench's server process: ``streamlit run``, with every connection sending its messages at once.

``evidencekit app`` starts ``python -m evidencekit.cli.server run <entry file> [Streamlit options]``, which is
``python -m streamlit run …`` with one difference: Nagle's algorithm is off (``TCP_NODELAY``) on every connection
the server accepts.

Why: Streamlit 1.67 binds its listening socket itself, as ``socket.socket(family)``: protocol 0. asyncio turns
Nagle off only on connections whose socket says it is TCP (``asyncio.base_events._set_nodelay`` checks
``sock.proto == IPPROTO_TCP``), so every browser's connection kept Nagle on. A click's answer is a few small
messages; with Nagle on, the second one waits until the browser's machine acknowledges the first, and it delays
that acknowledgement (40 ms on Linux, up to 200 ms on Windows; over a network, at least a round trip). Measured
on loopback (``python bench/bench_load.py --rerun-vs-bare``): a bare page's click 48 → 6–10 ms, a step's change
of countries 19 → 9–12 ms.

How: the listening socket Streamlit binds is handed back as the same socket declared TCP (so asyncio sets
``TCP_NODELAY`` on each connection it accepts, as it does for any server it creates itself), with
``TCP_NODELAY`` set on it too (Linux passes it on to accepted connections). Should Streamlit's private
``_bind_socket`` move, the server starts as plain ``streamlit run`` and says so in its log.

>>> listening = socket.socket(); listening.bind(("127.0.0.1", 0)); listening.listen()
>>> tcp = declared_tcp(listening)  # what the server's own socket becomes
>>> tcp.proto == socket.IPPROTO_TCP, tcp.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
(True, True)
>>> tcp.close()
"""
from __future__ import annotations

import contextlib
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


def main(argv: Sequence[str] | None = None) -> None:
    """Run Streamlit's own command line (``streamlit run …``) in this process, connections sent at once."""
    send_at_once()
    from streamlit.web.cli import main as streamlit_main

    streamlit_main(args=list(sys.argv[1:] if argv is None else argv), prog_name="streamlit")


if __name__ == "__main__":
    main()
