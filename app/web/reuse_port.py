"""A listening socket of its own for each web process (SO_REUSEPORT), so the kernel spreads
new connections between them.

uvicorn's multi-process mode hands every web process the one socket the supervisor bound, and
whichever process wakes first accepts every connection waiting: 16 connections opened at once
went 16/0 in 7 of 20 tries and 8/8 in 5 (bench/reports/page8.md). A kept-alive connection
stays with the process that accepted it, and a page holds its process's GIL, so the busier
process's clients queue while the other core idles. With a socket per process bound with
SO_REUSEPORT, Linux picks the socket of each new connection by a hash of its addresses.

The supervisor binds the address with SO_REUSEPORT and never listens on it: the port stays
taken while web processes start or restart, and it takes no connections. uvicorn pickles the
sockets it gives each new web process; ReusePortSocket pickles as its address, and is
unpickled in the web process as a new socket bound to it (uvicorn then listens on it).
A restarted web process drops the connections waiting in its own queue (clients retry).
"""

import socket


def _bind(family: int, address: tuple) -> socket.socket:
    """A socket bound to address that shares it with the other web processes' sockets."""
    sock = ReusePortSocket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(address)
    return sock


class ReusePortSocket(socket.socket):
    """A socket that a new process receives as a socket of its own on the same address."""

    def __reduce__(self):
        address = self.getsockname()[:2]
        return _bind, (self.family, address)


def supported() -> bool:
    """SO_REUSEPORT spreads TCP connections between sockets on Linux (elsewhere it may not)."""
    import sys

    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def reuse_port_socket(host: str, port: int) -> socket.socket:
    """The supervisor's socket: bound to (host, port) with SO_REUSEPORT, not listening."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return _bind(family, (host, port))
