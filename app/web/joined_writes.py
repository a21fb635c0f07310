"""uvicorn's httptools protocol with a response's head and body sent in one write.

uvicorn writes the head (status line and headers) at `http.response.start` and the body at
`http.response.body`: two send()s, two loopback segments, two wake-ups of the client for one
page (page10.md: the head's write alone was ~12 % of the event loop's samples). Here the
transport holds a write until the next one or the end of the loop step, whichever comes first,
and sends what it holds in one writelines: a whole response in one write, and a streaming
response's head with its first chunk; nothing waits past the loop step that wrote it.

`chipwatch serve` passes HTTP_PROTOCOL as uvicorn.Config(http=...) (an import string, so the
spawned web processes of --workers N load it too)."""

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

HTTP_PROTOCOL = "app.web.joined_writes:JoinedWritesProtocol"


class JoinedWritesTransport:
    """A transport's writes, each held until the next write or the end of the loop step, then
    sent together with writelines. Every other call goes to the transport; close flushes first,
    abort drops what is held (as the transport drops its own buffer), and so does a flush after
    the connection was lost."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._held: list[bytes] = []

    def write(self, data: bytes) -> None:
        if not data:
            return
        if self._held:  # the second write: both go now, the flush scheduled finds nothing
            self._held.append(data)
            self.flush()
        else:
            self._held.append(data)
            self._loop.call_soon(self.flush)

    def writelines(self, list_of_data) -> None:
        for data in list_of_data:
            self.write(data)

    def flush(self) -> None:
        if self._held:
            held, self._held = self._held, []
            if not self._transport.is_closing():  # else lost meanwhile: nowhere to send it
                self._transport.writelines(held)

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def abort(self) -> None:
        self._held = []
        self._transport.abort()

    def get_write_buffer_size(self) -> int:
        return self._transport.get_write_buffer_size() + sum(len(d) for d in self._held)

    def __getattr__(self, name: str) -> Any:  # is_closing, get_extra_info, pause_reading, ...
        return getattr(self._transport, name)


class JoinedWritesProtocol(HttpToolsProtocol):
    """HttpToolsProtocol whose writes go through a JoinedWritesTransport."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        joined = JoinedWritesTransport(transport, self.loop)
        super().connection_made(joined)  # type: ignore[arg-type]
