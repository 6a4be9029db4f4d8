"""A lean asyncio HTTP/1.1 client and the simulated resident, for ``bench/web_load.py``.

Why not httpx: client and server share the same two cores. A heavier client steals more
CPU from a fast server (the floor) than from a slower one (the survey), which would
flatter our ratio to the floor. This client does only what the benchmark needs — one
keep-alive connection per resident, cookies by name, Content-Length or chunked bodies —
and its own CPU time is measured and printed next to the results.
"""
from __future__ import annotations

import asyncio
import random
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

CSRF_RE = re.compile(rb'name="csrf_token"[^>]*value="([^"]+)"')


class HttpFailure(Exception):
    """Anything a browser would show as a failure (reset, refused, an unexpected status,
    a page without its form): the driver counts it as an error, by message."""


class Connection:
    """One keep-alive connection to ``host:port`` (reconnects when the server closed it)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def request(self, method: str, target: str, headers: dict[str, str], body: bytes = b""):
        """(status, [(name, value)], body). Retries once only if a *reused* connection was
        closed before any byte of the answer arrived (the server's keep-alive timeout)."""
        for attempt in (1, 2):
            fresh = self.writer is None
            try:
                if fresh:
                    self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
                self.writer.write(self._head(method, target, headers, len(body)) + body)
                await self.writer.drain()
                return await self._read()
            except asyncio.IncompleteReadError as exc:
                self.close()
                if fresh or attempt == 2 or exc.partial:
                    raise HttpFailure(f"connection closed mid-response on {method} {_route(target)}") from None
            except (ConnectionError, OSError) as exc:
                self.close()
                if fresh or attempt == 2:
                    raise HttpFailure(f"{type(exc).__name__} on {method} {_route(target)}") from None
        raise HttpFailure("unreachable")

    def _head(self, method: str, target: str, headers: dict[str, str], length: int) -> bytes:
        lines = [f"{method} {target} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        if method == "POST":
            lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {length}"]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    async def _read(self):
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = [(k.strip().lower(), v.strip()) for k, _, v in (ln.partition(":") for ln in lines[1:] if ln)]
        names = dict(headers)
        if names.get("transfer-encoding", "").lower() == "chunked":
            body = await self._read_chunked()
        elif "content-length" in names:
            body = await self.reader.readexactly(int(names["content-length"]))
        else:
            body = await self.reader.read()
            self.close()
        if names.get("connection", "").lower() == "close":
            self.close()
        return status, headers, body

    async def _read_chunked(self) -> bytes:
        parts = []
        while True:
            size = int((await self.reader.readline()).split(b";")[0].strip(), 16)
            if size == 0:
                await self.reader.readline()
                return b"".join(parts)
            parts.append(await self.reader.readexactly(size))
            await self.reader.readline()


@dataclass
class Stats:
    """What one benchmark level measured."""

    latencies: list[float] = field(default_factory=list)  # seconds, every request
    errors: Counter = field(default_factory=Counter)
    completed: int = 0  # surveys that reached the thank-you page (or floor inserts acknowledged)

    @property
    def requests(self) -> int:
        return len(self.latencies)


class Resident:
    """One simulated resident: a cookie jar on one connection, answering the survey like a browser."""

    def __init__(self, host: str, port: int, stats: Stats, lang: str = "ja") -> None:
        self.conn, self.stats = Connection(host, port), stats
        self.cookies: dict[str, str] = {}
        self.lang = lang

    async def call(self, method: str, path: str, form: list[tuple[str, str]] | None = None,
                   expect: tuple[int, ...] = (200,)):
        headers = {"Accept-Language": self.lang}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = urlencode(form or []).encode() if method == "POST" else b""
        started = time.perf_counter()
        status, resp_headers, resp_body = await self.conn.request(method, path, headers, body)
        self.stats.latencies.append(time.perf_counter() - started)
        self._keep_cookies(resp_headers)
        if status not in expect:
            raise HttpFailure(f"HTTP {status} on {method} {_route(path)}")
        return status, dict(resp_headers), resp_body

    def _keep_cookies(self, headers) -> None:
        for name, value in headers:
            if name == "set-cookie":
                pair = value.split(";", 1)[0]
                key, _, val = pair.partition("=")
                if "max-age=0" in value.lower() or not val:
                    self.cookies.pop(key.strip(), None)
                else:
                    self.cookies[key.strip()] = val.strip()

    async def complete_survey(self, base: str, plan: SurveyPlan) -> None:
        """Answer the whole survey, from the landing page to the thank-you page."""
        self.cookies.clear()  # a new resident on the same connection
        _, _, landing = await self.call("GET", f"{base}/")
        _, headers, _ = await self.call("POST", f"{base}/start", [("csrf_token", csrf(landing)), ("code", ""),
                                                                  ("nav", "next")], expect=(302,))
        answers = plan.random_answers()
        location = _path(headers["location"])
        for _ in range(4 * len(plan.sections) + 4):
            if location.startswith(f"{base}/review"):
                break
            _, _, page = await self.call("GET", location)
            section_id = location.split("/q/", 1)[1].split("?")[0]
            form = [("csrf_token", csrf(page)), ("nav", "next"), *plan.form_for(section_id, answers)]
            _, headers, _ = await self.call("POST", location.split("?")[0], form, expect=(302,))
            location = _path(headers["location"])
        else:
            raise HttpFailure("the survey never reached the review page")
        _, _, review = await self.call("GET", f"{base}/review")
        _, headers, _ = await self.call("POST", f"{base}/review", [("csrf_token", csrf(review)), ("nav", "submit")],
                                        expect=(302,))
        await self.call("GET", _path(headers["location"]))
        self.stats.completed += 1


class SurveyPlan:
    """Valid random answers for every question of an instrument, posted page by page.

    Every question of a section is posted; the server keeps only the shown ones, so answers
    that reveal follow-up questions bring the ``?more=1`` round trip a real resident makes.
    """

    def __init__(self, instrument) -> None:
        self.instrument = instrument
        self.sections = {s.id: s for s in instrument.sections}

    def random_answers(self) -> dict[str, list[str]]:
        return {q.id: _random_value(q) for q in self.instrument.questions}

    def form_for(self, section_id: str, answers: dict[str, list[str]]) -> list[tuple[str, str]]:
        section = self.sections[section_id]
        return [(q.id, value) for q in section.questions for value in answers[q.id]]


def _random_value(question) -> list[str]:
    codes = [str(c.code) for c in question.choices]
    if question.type in ("single", "scale"):
        return [random.choice(codes)]
    if question.type == "multi":
        return random.sample(codes, k=random.randint(1, min(3, len(codes))))
    if question.type == "number":
        low, high = int(question.minimum or 0), int(question.maximum or 99)
        return [str(random.randint(low, high))]
    return [random.choice(["公園を増やしてほしい", "バスの本数を増やしてください。", "Cảm ơn", ""])]


def csrf(page: bytes) -> str:
    match = CSRF_RE.search(page)
    if not match:
        raise HttpFailure("no CSRF token on the page")
    return match.group(1).decode()


def _path(location: str) -> str:
    parts = urlsplit(location)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _route(path: str) -> str:
    """The route of a path, for grouping errors (``/s/x/q/living?more=1`` → ``/s/x/q/…``)."""
    path = path.split("?")[0]
    return re.sub(r"/q/[^/]+", "/q/…", path)
