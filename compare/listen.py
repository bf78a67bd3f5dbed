"""The socket `compare serve` listens on, bound before anything is printed: a busy port or an
address this machine does not have is one clear line, and the server then runs on that very
socket (no gap in which another program could take the port)."""
from __future__ import annotations

import errno
import socket

from .errors import CompareError

BACKLOG = 2048  # uvicorn's default


def bind(host: str, port: int) -> socket.socket:
    """A TCP socket bound to host:port and listening, as uvicorn binds its own: SO_REUSEADDR,
    IPv6 when the host is an IPv6 address. Port 0 takes a free port (see `bound_port`). It listens
    at once: with SO_REUSEADDR, two sockets merely bound to one port both succeed, so only a
    listening socket holds the port against a second server started at the same moment."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(BACKLOG)
    except OSError as e:
        sock.close()
        raise CompareError(_problem(host, port, e)) from None
    return sock


def bound_port(sock: socket.socket) -> int:
    return sock.getsockname()[1]


def _problem(host: str, port: int, e: OSError) -> str:
    if e.errno == errno.EADDRINUSE:
        return f"port {port} on {host} is already in use (another server?); pass a free one with --port"
    if e.errno == errno.EACCES:
        return f"port {port} on {host}: permission denied (ports below 1024 need root); pass another with --port"
    if isinstance(e, socket.gaierror) or e.errno == errno.EADDRNOTAVAIL:
        return f"cannot listen on {host}: not an address of this machine; pass another with --host"
    return f"cannot listen on {host} port {port} ({e.strerror or e}); pass another with --port or --host"
