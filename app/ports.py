"""Is a listening port free? Asked before `chipwatch demo`/`serve` print their URL, so a busy port
is one clear line (which port, how to pick another) instead of a URL and then uvicorn's errno."""

import errno
import socket


def port_problem(host: str, port: int) -> str | None:
    """Why host:port cannot be listened on, or None when it can. Binds the way uvicorn does
    (SO_REUSEADDR), so a port in TIME_WAIT from a previous run does not count as taken."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        return f"cannot listen on {host}: {exc.strerror or exc}"
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return f"port {port} on {host} is already in use by another program"
            if exc.errno == errno.EACCES:
                return f"port {port} on {host} needs more privileges (ports below 1024 need root)"
            return f"cannot listen on {host}:{port}: {exc.strerror or exc}"
    return None


def busy_port_message(host: str, port: int, problem: str) -> str:
    return (
        f"{problem}. Pick another port with --port N (with make: make demo PORT=N), "
        f"e.g. --port {port + 1 if port < 65535 else 8000}."
    )
