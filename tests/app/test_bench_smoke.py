"""The client benchmarks' own tools do what their figures claim (no timings asserted here):
the photo bench's phone JPEG really carries GPS and the app's pipeline really removes it; the
fault proxy really loses answers after the server acted; the local-store bench builds the
list's real cards from a filled store."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from typing import ClassVar

import httpx
import pytest

from bench.local_store import run_store
from bench.photo import gps_of, make_phone_jpeg, metadata_left, run_photo
from tests.faultproxy import FaultProxy


def test_phone_jpeg_has_gps_and_the_pipeline_removes_every_trace() -> None:
    original = make_phone_jpeg((2400, 1800))
    assert gps_of(original)[2] == (51.0, 7.0, 41.52)  # latitude, as the phone wrote it
    assert metadata_left(original)  # EXIF and GPS are seen by the check

    result = run_photo(runs=1, size=(2400, 1800))
    assert result.original_gps
    assert result.left == []
    assert max(result.output_size) == 1920
    assert result.output_bytes < result.original_bytes / 2


class _Counting(http.server.BaseHTTPRequestHandler):
    posts: ClassVar[list[bytes]] = []

    def do_POST(self) -> None:  # http.server's naming
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).posts.append(body)
        reply = b'{"ok": true}'
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def upstream() -> Iterator[str]:
    _Counting.posts = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_fault_proxy_drops_before_loses_after_and_answers_503(upstream: str) -> None:
    script = ["drop_before", "drop_after", "503", "passed"]
    with FaultProxy(upstream, share=0.0, script=script) as proxy, httpx.Client() as http:
        outcomes: list[int | str] = []
        for n in range(4):
            try:
                r = http.post(proxy.url + "/x", content=f"request {n}".encode())
                outcomes.append(r.status_code)
            except httpx.TransportError:
                outcomes.append("error")
    assert outcomes == ["error", "error", 503, 201]
    # the first never reached the server; the second did (its answer was lost); the third
    # was answered by the proxy; the fourth went through
    assert _Counting.posts == [b"request 1", b"request 3"]
    assert proxy.counts == {"drop_before": 1, "drop_after": 1, "503": 1, "passed": 1}


def test_local_store_bench_builds_the_first_page_of_real_cards() -> None:
    result = run_store(n=200, runs=1, language="ru")
    assert result.cards == 30  # PAGE_SIZE cards from the app's own screen code
    assert "·" in result.first_row and result.first_row.split(" · ")[0]  # a category name
