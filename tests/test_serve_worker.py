"""The WSGI adapter of ``machikoe serve``'s worker (survey_app/cli/worker.py): one hand-off to the
thread pool per request — the app runs, its body is collected and closed there, never on the
event loop — on a real tornado HTTP server and a real socket."""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import tornado.httpserver
from tornado.httpclient import AsyncHTTPClient, HTTPClientError
from tornado.ioloop import IOLoop
from tornado.testing import bind_unused_port

from survey_app.cli.worker import BufferedWSGI


class Body:
    """A WSGI body in three chunks that records which thread iterated and closed it."""

    def __init__(self, start_response: Any, log: dict[str, Any]) -> None:
        self.start_response, self.log = start_response, log

    def __iter__(self) -> Iterator[bytes]:
        self.log["iterated"] = threading.current_thread().name
        # start_response called lazily, from inside the body, as a generator app may do
        self.start_response("201 Created", [("Content-Type", "text/plain; charset=utf-8")])
        yield from (b"one ", b"two ", b"three")

    def close(self) -> None:
        self.log["closed"] = threading.current_thread().name


def serve_once(app: Any, path: str = "/") -> tuple[Any, str]:
    """Serve ``app`` on a fresh socket and fetch ``path`` once: (response or error, loop thread)."""
    loop = IOLoop(make_current=False)
    executor = ThreadPoolExecutor(2, thread_name_prefix="pool")
    sock, port = bind_unused_port()
    server = tornado.httpserver.HTTPServer(BufferedWSGI(app, executor=executor))
    outcome: dict[str, Any] = {}

    async def fetch() -> None:
        server.add_sockets([sock])
        outcome["loop"] = threading.current_thread().name
        try:
            outcome["answer"] = await AsyncHTTPClient().fetch(f"http://127.0.0.1:{port}{path}", request_timeout=10)
        except HTTPClientError as error:
            outcome["answer"] = error
        finally:
            server.stop()

    try:
        loop.run_sync(fetch, timeout=15)
    finally:
        loop.close(all_fds=True)
        executor.shutdown()
    return outcome["answer"], outcome["loop"]


def test_the_app_runs_and_its_body_is_collected_and_closed_in_the_pool():
    log: dict[str, Any] = {}

    def app(environ: dict[str, Any], start_response: Any) -> Body:
        log["called"] = threading.current_thread().name
        log["path"] = environ["PATH_INFO"]
        return Body(start_response, log)

    answer, loop_thread = serve_once(app, "/q/living?lang=en")
    assert answer.code == 201 and answer.body == b"one two three"
    assert answer.headers["Content-Length"] == "13" and "Server" not in answer.headers
    assert log["path"] == "/q/living"
    assert {log["called"], log["iterated"], log["closed"]} <= {f"pool_{n}" for n in range(2)}
    assert loop_thread not in log.values()


def test_a_304_gets_no_length_and_a_body_without_a_type_gets_html():
    def not_modified(_environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("304 Not Modified", [])
        return []

    def untyped(_environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [])
        return [b"<p>hi</p>"]

    answer, _ = serve_once(not_modified)
    assert answer.code == 304 and "Content-Length" not in answer.response.headers
    answer, _ = serve_once(untyped)
    assert answer.headers["Content-Type"] == "text/html; charset=UTF-8" and answer.body == b"<p>hi</p>"


def test_an_app_that_fails_outside_flask_gets_a_500_at_once_not_a_hang(caplog):
    def silent(_environ: dict[str, Any], _start_response: Any) -> list[bytes]:
        return [b"nobody said the status"]

    def failing_close(environ: dict[str, Any], start_response: Any) -> Body:
        body = Body(start_response, {})
        body.close = lambda: 1 / 0  # type: ignore[method-assign]
        return body

    for app in (silent, failing_close):
        started = time.monotonic()
        answer, _ = serve_once(app)
        assert answer.code == 500 and time.monotonic() - started < 5  # the client's timeout is 10 s
    assert "the app failed on GET /" in caplog.text


def test_a_body_over_the_limit_gets_a_413_page_not_an_empty_400():
    """tornado refused a declared body over ``max_body_size`` with a bare "400 Bad Request" and no
    body: a staff member uploading a 25 MB file saw a blank page. Below the limit, the app answers."""
    import socket

    from survey_app.cli.worker import GuardedHTTPServer

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        size = len(environ["wsgi.input"].read())
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [f"read {size}".encode()]

    loop = IOLoop(make_current=False)
    executor = ThreadPoolExecutor(1, thread_name_prefix="pool")
    sock, port = bind_unused_port()
    server = GuardedHTTPServer(BufferedWSGI(app, executor=executor), max_body_size=1000)
    answers: dict[int, bytes] = {}

    def post(size: int) -> bytes:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
            client.sendall(f"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: {size}\r\nConnection: close\r\n\r\n".encode()
                           + b"x" * min(size, 4000))
            received = b""
            while chunk := client.recv(65536):
                received += chunk
            return received

    async def run() -> None:
        server.add_sockets([sock])
        for size in (10, 5000):
            answers[size] = await IOLoop.current().run_in_executor(None, post, size)
        server.stop()

    try:
        loop.run_sync(run, timeout=20)
    finally:
        loop.close(all_fds=True)
        executor.shutdown()
    assert answers[10].startswith(b"HTTP/1.1 200") and answers[10].endswith(b"read 10")
    big = answers[5000]
    assert big.startswith(b"HTTP/1.1 413") and b"400 Bad Request" not in big
    page = big.decode("utf-8")  # the staff upload limit's words, in the city's language and English
    assert "アップロードできるのは 20 MB までです" in page and "larger than the 20 MB a staff upload may be" in page
