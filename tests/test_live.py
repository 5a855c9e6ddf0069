"""The harness's ports: a server of ours listens on a port no outgoing connection can be given
(the kernel's ephemeral range), never on one in use, and no port is handed out twice."""

from __future__ import annotations

import socket

import pytest

from tests import live


def test_ports_are_outside_the_ephemeral_range_and_never_repeat() -> None:
    ephemeral = live._ephemeral_ports()
    ports = [live.free_port() for _ in range(200)]
    assert len(set(ports)) == len(ports)
    assert not [p for p in ports if p in ephemeral]


def test_a_port_in_use_is_never_handed_out(monkeypatch: pytest.MonkeyPatch) -> None:
    first = max(live._LISTENING) - 20
    monkeypatch.setattr(live, "_LISTENING", range(first, first + 20))
    monkeypatch.setattr(live, "_handed_out", set())
    taken = []
    try:
        for port in range(first, first + 20, 2):  # every other port of the range is in use
            s = socket.socket()
            s.bind(("127.0.0.1", port))
            s.listen()
            taken.append(s)
        busy = {s.getsockname()[1] for s in taken}
        given = {live.free_port() for _ in range(10)}
        assert given == set(range(first, first + 20)) - busy
        with pytest.raises(RuntimeError, match="no free loopback port"):
            live.free_port()
    finally:
        for s in taken:
            s.close()
