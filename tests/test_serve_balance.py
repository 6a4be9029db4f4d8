"""The least-connections accept of ``machikoe serve``'s workers (survey_app/cli/balance.py): the
board's arithmetic, and a real listening socket on a real tornado loop. The split over two real
workers is measured in tests/serial/test_serve_balance_split.py."""
from __future__ import annotations

import socket
import time

import pytest
from tornado.ioloop import IOLoop

from survey_app.cli.balance import PATIENCE, STALE, BalancedAcceptor, Board, Seat


class Clock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_fewest_elsewhere_skips_own_empty_and_stale_slots():
    board, clock = Board(slots=4), Clock()
    me = Seat(board, 0, pid=101, clock=clock)
    me.connections = 9
    me.beat()
    assert board.fewest_elsewhere(101, clock()) is None  # alone: nobody to defer to
    board.write(1, 102, 5, clock.now - STALE - 1)  # a worker that died holding 5
    assert board.fewest_elsewhere(101, clock()) is None
    board.write(2, 103, 7, clock.now)
    board.write(3, 104, 4, clock.now - 1)
    assert board.fewest_elsewhere(101, clock()) == 4
    assert board.fewest_elsewhere(104, clock()) == 7  # 104's view: its own slot and the stale one left out


def test_a_seat_counts_its_connections_and_stands_aside_only_for_a_lighter_worker():
    board, clock = Board(slots=4), Clock()
    me, other = Seat(board, 0, pid=201, clock=clock), Seat(board, 1, pid=202, clock=clock)
    assert not me.should_stand_aside()  # equal (0 and 0): both may accept
    me.opened()
    assert me.should_stand_aside() and not other.should_stand_aside()
    other.opened()
    other.opened()
    assert not me.should_stand_aside() and other.should_stand_aside()
    me.closed()
    me.closed()  # a second close never takes the count below zero
    assert me.connections == 0 and board.read(0) == (201, 0, clock.now)
    other.leave()
    assert not me.should_stand_aside() and board.read(1) == (0, 0, 0.0)
    other.closed()  # a connection drained after leaving does not put the worker back on the board
    other.beat()
    assert board.read(1) == (0, 0, 0.0)


def test_the_slot_wraps_round_the_board():
    board = Board(slots=4)
    assert Seat(board, 6, pid=1).index == 2


@pytest.fixture
def listener():
    sock = socket.create_server(("127.0.0.1", 0))
    sock.setblocking(False)
    yield sock
    sock.close()


def _accept_one(sock: socket.socket, seat: Seat) -> tuple[BalancedAcceptor, float, float]:
    """Connect a client to ``sock`` and run a loop until the acceptor takes it; (acceptor, when the
    client connected, when it was accepted) on ``seat``'s clock."""
    loop = IOLoop(make_current=False)
    accepted: list[float] = []

    def on_connection(connection: socket.socket, _address: object) -> None:
        accepted.append(seat.clock())
        connection.close()
        loop.stop()

    async def start() -> BalancedAcceptor:
        return BalancedAcceptor(sock, on_connection, seat, loop)

    acceptor = loop.run_sync(start)
    client = socket.create_connection(sock.getsockname())
    connected = seat.clock()
    loop.call_later(10, loop.stop)  # a bound for a failing test, not a time the test expects
    loop.start()
    acceptor.stop()
    loop.close()
    client.close()
    assert accepted, "the connection was never accepted"
    return acceptor, connected, accepted[0]


def test_an_acceptor_with_no_lighter_worker_accepts_without_pausing(listener):
    board = Board(slots=4)
    board.write(1, 999_999, 3, time.monotonic())  # another worker, busier than this one
    seat = Seat(board, 0, pid=301)
    acceptor, _, _ = _accept_one(listener, seat)
    assert acceptor.last_pause == -PATIENCE  # it never stood aside
    assert seat.connections == 1 and board.read(0)[:2] == (301, 1)


def test_an_acceptor_stands_aside_for_a_lighter_worker_then_accepts_when_patience_is_spent(listener):
    board = Board(slots=4)
    seat = Seat(board, 0, pid=401)
    seat.connections = 5
    # A lighter worker that never accepts (stuck): its slot stays fresh for the whole test.
    board.write(1, 999_998, 0, time.monotonic() + 60)
    acceptor, connected, accepted = _accept_one(listener, seat)
    assert acceptor.last_pause > connected  # it stood aside at least once ...
    assert accepted - connected >= PATIENCE  # ... for its whole patience, and no longer was the resident lost
    assert seat.connections == 6
