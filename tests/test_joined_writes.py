"""app/web/joined_writes.py: a response's head and body leave in one write, nothing waits past
its loop step, and a real uvicorn with the protocol keeps connections alive and streams."""

import asyncio
import http.client
import socket
import threading

import uvicorn

from app.web.joined_writes import HTTP_PROTOCOL, JoinedWritesTransport
from tests.live import wait_for
from tests.own_loop import run


class Recorder:
    """A transport that records what reaches it."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []
        self.closing = False

    def writelines(self, data) -> None:
        self.calls.append(("writelines", list(data)))

    def close(self) -> None:
        self.closing = True
        self.calls.append(("close",))

    def abort(self) -> None:
        self.closing = True
        self.calls.append(("abort",))

    def is_closing(self) -> bool:
        return self.closing

    def get_extra_info(self, name, default=None):
        return ("127.0.0.1", 1234) if name == "peername" else default


async def _steps(actions) -> list[list]:
    """Each action (on a JoinedWritesTransport) in a loop step of its own; what reached the
    transport after each step."""
    recorder = Recorder()
    joined = JoinedWritesTransport(recorder, asyncio.get_running_loop())  # type: ignore[arg-type]
    seen = []
    for action in actions:
        action(joined)
        seen.append(list(recorder.calls))
        await asyncio.sleep(0)  # ends this step: the flush it scheduled runs
        await asyncio.sleep(0)
    seen.append(list(recorder.calls))
    return seen


def test_head_and_body_of_one_step_go_in_one_writelines():
    def respond(t):
        t.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n")
        t.write(b"ok")

    seen = run(_steps([respond]))
    assert seen[-1] == [("writelines", [b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n", b"ok"])]
    assert seen[0] == seen[-1]  # sent at the second write, not at the end of the step


def test_a_lone_write_leaves_at_the_end_of_its_step_in_order():
    seen = run(_steps([lambda t: t.write(b"head"), lambda t: t.write(b"chunk"), lambda t: None]))
    assert seen[0] == []  # held during its step
    assert seen[1] == [("writelines", [b"head"])]  # then sent, before the next step's write
    assert seen[-1] == [("writelines", [b"head"]), ("writelines", [b"chunk"])]


def test_close_sends_what_is_held_first_and_abort_drops_it():
    def write_close(t):
        t.write(b"bye")
        t.close()

    def write_abort(t):
        t.write(b"lost")
        t.abort()

    assert run(_steps([write_close]))[-1] == [("writelines", [b"bye"]), ("close",)]
    assert run(_steps([write_abort]))[-1] == [("abort",)]


def test_other_calls_reach_the_transport():
    recorder = Recorder()
    joined = JoinedWritesTransport(recorder, None)  # type: ignore[arg-type]
    assert joined.get_extra_info("peername") == ("127.0.0.1", 1234)
    assert joined.is_closing() is False


async def _app(scope, receive, send) -> None:
    """/ plain (content-length), /close (Connection: close), /stream: the head, a chunk and the
    end, each only once the client has read what came before (it sets the events)."""
    if scope["type"] == "lifespan":
        while (message := await receive())["type"] != "lifespan.shutdown":
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    path = scope["path"]
    if path == "/stream":
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await asyncio.wait_for(STATE["read_head"].wait(), 30)
        await send({"type": "http.response.body", "body": b"first\n", "more_body": True})
        await asyncio.wait_for(STATE["read_first"].wait(), 30)
        await send({"type": "http.response.body", "body": b"second\n", "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})
        return
    body = f"hello {path}".encode()
    headers = [(b"content-length", str(len(body)).encode())]
    if path == "/close":
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


STATE: dict = {}


def _serve():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(_app, http=HTTP_PROTOCOL, log_level="warning"))

    async def main():
        STATE["loop"] = asyncio.get_running_loop()
        STATE["read_head"], STATE["read_first"] = asyncio.Event(), asyncio.Event()
        await server.serve(sockets=[sock])

    thread = threading.Thread(target=asyncio.run, args=(main(),), daemon=True)
    thread.start()
    wait_for(lambda: server.started or not thread.is_alive(), "uvicorn to start")
    assert server.started
    return server, thread, sock


def test_a_real_server_keeps_connections_alive_streams_and_closes():
    server, thread, sock = _serve()
    try:
        port = sock.getsockname()[1]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/a")
        first = conn.getresponse()
        assert (first.status, first.read()) == (200, b"hello /a")
        kept = conn.sock
        conn.request("GET", "/b")  # the same connection: keep-alive
        second = conn.getresponse()
        assert (second.status, second.read()) == (200, b"hello /b")
        assert conn.sock is kept

        # The head alone, then the first chunk alone, arrive while the app waits for the
        # client: neither is held back for a later write (a hang fails on the socket timeout).
        conn.request("GET", "/stream")
        streamed = conn.getresponse()
        assert streamed.getheader("transfer-encoding") == "chunked"
        STATE["loop"].call_soon_threadsafe(STATE["read_head"].set)
        assert streamed.readline() == b"first\n"
        STATE["loop"].call_soon_threadsafe(STATE["read_first"].set)
        assert streamed.read() == b"second\n"
        assert conn.sock is kept

        conn.request("GET", "/close")
        closing = conn.getresponse()
        assert closing.getheader("connection") == "close"
        assert closing.read() == b"hello /close"  # the body was sent before the close
        conn.close()
    finally:
        server.should_exit = True
        thread.join(30)
        sock.close()
