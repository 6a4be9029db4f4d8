"""Least-connections accept: kept-alive connections spread evenly over ``machikoe serve``'s workers.

Why: every worker accepts from the one listening socket gunicorn's master opened, and tornado
accepts up to 128 waiting connections each time it wakes. When 64 residents connect within a few
milliseconds one worker can take 52 of them and the other 12; the connections are kept alive, so
for as long as they last one worker queues requests on one core while the other idles. Measured
on 2 cores (``bench/web_load.py``, 64 clients): rounds split 52/12 served 246 pages/s with a p99
of 988 ms, rounds split 32/32 served 287 pages/s with a p99 of 416 ms. A proxy in front would
answer this with nginx's ``least_conn``; here the workers answer it among themselves:

* every worker writes its number of open connections on a shared ``Board`` (an anonymous shared
  memory map created when the master imports this module, before it forks the workers);
* a worker accepts only while no other live worker holds fewer connections; otherwise it stops
  listening for ``RETRY`` seconds and looks again;
* ``PATIENCE`` bounds the courtesy: a worker that has stood aside that long accepts anyway, so a
  stuck or slow-to-wake worker delays a new connection by at most that much and never loses it;
* a slot not written for ``STALE`` seconds (a worker that died) does not count. Workers write
  theirs on every change and on gunicorn's heartbeat, once a second.

Nothing here is exact, nor needs to be: a torn read or two workers on one slot only make a split
less even, and patience bounds what any mistake can cost.
"""
from __future__ import annotations

import mmap
import os
import socket
import struct
import time
from collections.abc import Callable
from typing import Any

from tornado.ioloop import IOLoop

SLOTS = 64        # ``machikoe serve --workers`` allows at most 64
RETRY = 0.002     # seconds a worker standing aside stops listening before it looks again
PATIENCE = 0.05   # seconds a worker stands aside at most while a connection waits
STALE = 3.0       # seconds after which a slot no longer counts (its worker has died)

_SLOT = struct.Struct("=qqd")  # pid, open connections, time.monotonic() of the last write


class Board:
    """One slot per worker, shared by every process forked after it was made."""

    def __init__(self, slots: int = SLOTS) -> None:
        self.slots = slots
        self._memory = mmap.mmap(-1, _SLOT.size * slots)  # anonymous and MAP_SHARED: survives fork shared

    def write(self, index: int, pid: int, connections: int, stamp: float) -> None:
        _SLOT.pack_into(self._memory, index * _SLOT.size, pid, connections, stamp)

    def read(self, index: int) -> tuple[int, int, float]:
        pid, connections, stamp = _SLOT.unpack_from(self._memory, index * _SLOT.size)
        return pid, connections, stamp

    def fewest_elsewhere(self, own_pid: int, now: float) -> int | None:
        """The fewest connections any other live worker holds (None when there is none)."""
        counts = [connections for pid, connections, stamp in map(self.read, range(self.slots))
                  if pid not in (0, own_pid) and now - stamp < STALE]
        return min(counts, default=None)


# Made at import, in the master: gunicorn imports the worker class (and so this module) before it forks.
BOARD = Board()


class Seat:
    """A worker's slot on the board and its own count of open connections."""

    def __init__(self, board: Board, index: int, pid: int | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.board, self.index, self.clock = board, index % board.slots, clock
        self.pid = os.getpid() if pid is None else pid
        self.connections = 0
        self.left = False
        self.beat()

    def beat(self) -> None:
        if not self.left:
            self.board.write(self.index, self.pid, self.connections, self.clock())

    def opened(self) -> None:
        self.connections += 1
        self.beat()

    def closed(self) -> None:
        self.connections = max(0, self.connections - 1)
        self.beat()

    def leave(self) -> None:
        """Off the board for good: a worker that stops accepting (shutting down, its last
        connections draining) must not make the others stand aside for it."""
        self.left = True
        self.board.write(self.index, 0, 0, 0.0)

    def should_stand_aside(self) -> bool:
        fewest = self.board.fewest_elsewhere(self.pid, self.clock())
        return fewest is not None and self.connections > fewest


class BalancedAcceptor:
    """Accepts connections on ``sock`` one per wake-up, standing aside while another worker holds
    fewer (tornado's ``add_accept_handler`` with that rule). ``stop()`` ends it."""

    def __init__(self, sock: socket.socket, on_connection: Callable[[socket.socket, Any], None], seat: Seat,
                 io_loop: IOLoop | None = None) -> None:
        self.sock, self.on_connection, self.seat = sock, on_connection, seat
        self.loop = io_loop or IOLoop.current()
        self.listening, self.stopped = False, False
        self.waiting_since: float | None = None  # when this worker began standing aside
        self.last_pause = -PATIENCE
        self._listen()

    def on_readable(self, _fd: Any, _events: int) -> None:
        if self._stand_aside():
            self.loop.remove_handler(self.sock)
            self.listening = False
            self.loop.call_later(RETRY, self._listen)
            return
        try:
            connection, address = self.sock.accept()
        except (BlockingIOError, ConnectionAbortedError):
            return  # another worker was quicker, or the client gave up while queued
        self.seat.opened()
        self.on_connection(connection, address)

    def _stand_aside(self) -> bool:
        now = self.seat.clock()
        if not self.seat.should_stand_aside():
            self.waiting_since = None
            return False
        if self.waiting_since is None or now - self.last_pause > PATIENCE:
            self.waiting_since = now  # a new wait: the last one ended when another worker accepted
        if now - self.waiting_since >= PATIENCE:
            self.waiting_since = None
            return False  # patience spent: accept rather than keep a resident waiting
        self.last_pause = now
        return True

    def _listen(self) -> None:
        if not self.stopped and not self.listening:
            self.loop.add_handler(self.sock, self.on_readable, IOLoop.READ)
            self.listening = True

    def stop(self) -> None:
        self.stopped = True
        if self.listening:
            self.loop.remove_handler(self.sock)
            self.listening = False
