"""The gunicorn worker ``machikoe serve`` uses: requests are buffered, then handed to threads.

gunicorn's ``gthread`` worker reads a request's body in the thread that will run the app, so a
client that sends its body one byte every two seconds holds a thread the whole time; a handful
of them froze the server (issue 14). Here tornado's event loop reads every request — headers
and body — without a thread; only a COMPLETE request reaches the Flask app, on a pool of
``--threads`` threads. Slow clients then cost a socket and a few bytes each, never a thread,
and give up after ``body_timeout`` seconds. Measured: ``tests/serial/test_serve_slow_clients.py``.

Connections are accepted by the least-loaded worker (``balance.py``): kept-alive connections
would otherwise pile up on whichever worker woke first.

The access log is ours, not tornado's (which prints the query string): a QR link carries the
resident's invitation code, and a log file must not become a list of codes.
"""
from __future__ import annotations

import functools
import html
import logging
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import tornado.httpserver
from gunicorn.workers.gtornado import TornadoWorker
from tornado import httputil
from tornado.ioloop import IOLoop, PeriodicCallback
from tornado.iostream import IOStream
from tornado.wsgi import WSGIContainer

from .balance import BOARD, BalancedAcceptor, Seat

_access = logging.getLogger("gunicorn.error")


class BufferedWSGI(WSGIContainer):
    """tornado's WSGI adapter on a thread pool, one hand-off per request, logging path only.

    tornado's own ``handle_request`` hands each request to the pool three times — to call
    the app, for each chunk of the body, and once more to find the end — and closes the
    app's response on the event loop. Closing it runs Flask's teardown (the database session
    is closed and its connection returned to the pool), which does not belong on the thread
    every connection shares. Here one call in the pool runs the app, collects the body and
    closes it; the loop only writes the answer.
    """

    async def handle_request(self, request: httputil.HTTPServerRequest) -> None:
        environ = self.environ(request)
        try:
            status, headers, body = await IOLoop.current().run_in_executor(self.executor, self._answer, environ)
        except Exception:  # noqa: BLE001 - failed outside Flask's handlers: answer, never leave the client hanging
            _access.exception("the app failed on %s %s", request.method, request.path)
            status, headers, body = "500 Internal Server Error", [("Content-Type", "text/plain; charset=utf-8")], \
                b"Internal Server Error"
        code_text, reason = status.split(" ", 1)
        code = int(code_text)
        named = {name.lower() for name, _ in headers}
        if code != 304:
            if "content-length" not in named:
                headers.append(("Content-Length", str(len(body))))
            if "content-type" not in named:
                headers.append(("Content-Type", "text/html; charset=UTF-8"))
        head = httputil.HTTPHeaders()
        for name, value in headers:
            head.add(name, value)
        assert request.connection is not None
        request.connection.write_headers(httputil.ResponseStartLine("HTTP/1.1", code, reason), head, chunk=body)
        request.connection.finish()
        self._log(code, request)

    def _answer(self, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
        """Run the app to the end of its body, in a pool thread: (status, headers, body)."""
        started: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            started["status"], started["headers"] = status, headers
            return chunks.append

        chunks: list[bytes] = []
        iterable = self.wsgi_application(environ, start_response)
        try:
            chunks.extend(iterable)
        finally:
            close = getattr(iterable, "close", None)
            if close is not None:
                close()
        if not started:
            raise RuntimeError("the WSGI app did not call start_response")
        return started["status"], started["headers"], b"".join(chunks)

    def _log(self, status_code: int, request: httputil.HTTPServerRequest) -> None:
        took = 1000.0 * request.request_time()
        when = time.strftime("[%d/%b/%Y:%H:%M:%S %z]")
        _access.info('%s %s "%s %s %s" %d %.0fms', request.remote_ip, when, request.method, request.path,
                     request.version, status_code, took)


@functools.lru_cache(maxsize=1)
def too_large_page() -> bytes:
    """The 413 page, in the city's language and in English (the request never reached the app, which
    knows the reader's): the staff upload limit's words, from the catalogs."""
    from survey_app.i18n import locales
    from survey_app.i18n.catalogs import SOURCE_LANGUAGE, gettext
    from survey_app.web.errors import PAGES, STAFF_TOO_LARGE

    mb = (BODY_LIMIT - 1024 * 1024) // (1024 * 1024)
    parts = [f'<section lang="{tag}"><h1>{html.escape(gettext(tag, PAGES[413][0]))}</h1>'
             f'<p>{html.escape(gettext(tag, STAFF_TOO_LARGE, mb=mb))}</p></section>'
             for tag in dict.fromkeys((locales.default(), SOURCE_LANGUAGE["messages"]))]
    return (f'<!doctype html><html lang="{locales.default()}"><meta charset="utf-8"><title>413</title>'
            + "".join(parts) + "</html>").encode()


class _TooLarge(httputil.HTTPMessageDelegate):
    """Answers a request whose declared body is over the server's limit with a 413 page, before
    tornado would read (and then refuse with an empty 400 — a blank browser page) a single byte of
    it; any other request goes to ``inner`` as it was."""

    def __init__(self, inner: httputil.HTTPMessageDelegate, connection: httputil.HTTPConnection, limit: int) -> None:
        self.inner, self.connection, self.limit = inner, connection, limit

    def headers_received(self, start_line: httputil.RequestStartLine | httputil.ResponseStartLine,
                         headers: httputil.HTTPHeaders) -> Any:
        declared = headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.limit and hasattr(self.connection, "detach"):
            stream = self.connection.detach()  # tornado stops here: it reads no body, writes no 400
            page = too_large_page()
            head = (f"HTTP/1.1 413 Payload Too Large\r\nContent-Type: text/html; charset=utf-8\r\n"
                    f"Content-Length: {len(page)}\r\nConnection: close\r\n\r\n").encode()
            stream.write(head + page).add_done_callback(lambda _done: stream.close())
            return None
        return self.inner.headers_received(start_line, headers)

    def data_received(self, chunk: bytes) -> Any:
        return self.inner.data_received(chunk)

    def finish(self) -> None:
        self.inner.finish()

    def on_connection_close(self) -> None:
        self.inner.on_connection_close()


class GuardedHTTPServer(tornado.httpserver.HTTPServer):
    """tornado's server with the 413 page of :class:`_TooLarge` for a body over ``max_body_size``."""

    def start_request(self, server_conn: object, request_conn: httputil.HTTPConnection) -> httputil.HTTPMessageDelegate:
        inner = super().start_request(server_conn, request_conn)
        return _TooLarge(inner, request_conn, self.conn_params.max_body_size or BODY_LIMIT)


class BufferingWorker(TornadoWorker):
    """gunicorn's tornado worker with the app on threads and time limits on slow requests."""

    def run(self) -> None:
        self.ioloop = IOLoop.current()
        self.alive, self.server_alive = True, False
        self.seat = seat = Seat(BOARD, self.age)
        self.acceptors: list[BalancedAcceptor] = []
        self.callbacks = [PeriodicCallback(self.watchdog, 1000), PeriodicCallback(self.heartbeat, 1000)]
        for callback in self.callbacks:
            callback.start()
        app = BufferedWSGI(self.wsgi, executor=ThreadPoolExecutor(max(1, self.cfg.threads),
                                                                   thread_name_prefix="machikoe"))
        worker = self

        class _Server(GuardedHTTPServer):
            def on_close(self, server_conn: object) -> None:
                seat.closed()
                worker.handle_request()
                super().on_close(server_conn)

            def stop(self) -> None:
                for acceptor in worker.acceptors:
                    acceptor.stop()
                seat.leave()
                super().stop()

        self.server = server = _Server(app, max_body_size=BODY_LIMIT, body_timeout=BODY_TIMEOUT,
                                       idle_connection_timeout=IDLE_TIMEOUT, no_keep_alive=self.cfg.keepalive <= 0)

        def serve_connection(connection: socket.socket, address: tuple[Any, ...]) -> None:
            stream = IOStream(connection, max_buffer_size=server.max_buffer_size,
                              read_chunk_size=server.read_chunk_size)
            server.handle_stream(stream, address)

        self.server_alive = True
        for sock in self.sockets:
            sock.setblocking(False)
            self.acceptors.append(BalancedAcceptor(sock, serve_connection, seat, self.ioloop))
        try:
            self.ioloop.start()
        finally:
            seat.leave()

    def heartbeat(self) -> None:
        self.seat.beat()  # a live worker's slot stays fresh even when its count does not change
        super().heartbeat()


# Set by ``machikoe serve`` before the workers start (module globals survive the fork).
BODY_LIMIT = 21 * 1024 * 1024   # the largest staff upload plus room for the form around it
BODY_TIMEOUT = 30.0             # seconds to send a whole request body
IDLE_TIMEOUT = 75.0             # seconds a kept-alive connection may sit without a request
