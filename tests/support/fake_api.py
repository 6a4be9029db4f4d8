"""What the fake chat APIs (fake_telegram.py, fake_line.py) share: a JSON HTTP server on a
free loopback port in a thread of its own, and waiting for what the bot should have done."""
from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self


def stop_serving(server: ThreadingHTTPServer, stop: Callable[[], None]) -> None:
    """Run ``stop`` (which shuts ``server`` down) without waiting out ``serve_forever``'s 0.5 s
    poll: a connection to its port wakes the ``select`` at once, and a woken loop that was asked to
    shut down ends. Only while the socket is open: a closed port may soon be someone else's."""
    port = server.server_address[1]
    stopping = threading.Thread(target=stop, daemon=True)
    stopping.start()
    while stopping.is_alive() and server.socket.fileno() != -1:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            pass
        stopping.join(0.01)
    stopping.join()


class FakeApiServer:
    """Subclasses answer :meth:`handle_request`; :meth:`start` serves it, :meth:`stop` ends it."""

    wait_timeout = 20.0  # seconds a test waits for the bot before failing (a loaded machine is slow)

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._server: ThreadingHTTPServer | None = None

    def handle_request(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict]:
        """(status, JSON payload) of one request."""
        raise NotImplementedError

    def start(self) -> Self:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as the real APIs: not a connection and a thread per call
            disable_nagle_algorithm = True  # headers and body are two writes: no delayed-ACK wait

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, payload = fake.handle_request(self.path, dict(self.headers), body)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                # the bot may stop while a long poll is open
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(data)

            do_GET = do_POST  # noqa: N815

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        with self._cond:
            self._cond.notify_all()
        if self._server:
            server = self._server
            stop_serving(server, server.shutdown)
            server.server_close()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def wait_for(self, predicate: Callable[[], bool], timeout: float | None = None) -> None:
        """Block until ``predicate()`` holds (checked whenever a call arrives, and every 50 ms)."""
        deadline = time.monotonic() + (self.wait_timeout if timeout is None else timeout)
        with self._cond:
            while not predicate():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError("the bot did not do what the test waited for")
                self._cond.wait(min(remaining, 0.05))
