"""Requests that lie in their headers, sent over real sockets to a real `python -m backend_stub`.

- A forged `Host` steers nothing: the emergency system, the callback URL, media links and feed
  links come from settings (in dev: the address the server was started on), and a host that is
  not this server's is refused.
- A callback secret confirms only its own incident.
- A body is capped by route, whatever its `Content-Type` says.
- `X-Forwarded-For` counts only from configured proxies (the per-address caps hold otherwise).
- Production refuses weak or missing settings and serves no API docs.
"""

from __future__ import annotations

import json
import os
import select
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from pydantic import ValidationError

from backend_stub.config import Settings
from backend_stub.services import emergency_adapter as adapter
from tests.backend.test_appeals import appeal_body
from tests.backend.test_emergency import jpeg
from tests.conftest import next_phone
from tests.live import ROOT, LiveProcess, backend_process, free_port, sign_in_http

SECRET = "hostile-requests-secret-key-of-40-characters"
PUBLIC = "https://city109.example.kz"
MiB = 1024 * 1024


# ---------------------------------------------------------------- a recording HTTP server


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class Recorder:
    """An HTTP server on loopback that keeps every request and answers like the emergency
    system: `{"incident_id", "status": "received"}`."""

    port: int = 0
    seen: list[Seen] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextmanager
def recorder() -> Iterator[Recorder]:
    rec = Recorder()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw.startswith(b"{") else {}
            rec.seen.append(Seen(self.command, self.path, dict(self.headers.items()), body))
            reply = json.dumps({"incident_id": f"INC-{len(rec.seen)}", "status": "received"})
            self.send_response(201)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply.encode())

        do_POST = do_GET = _answer

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    rec.port = int(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield rec
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def wait_until(check: Callable[[], bool], seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def dev_settings() -> Settings:
    return Settings(_env_file=None, secret_key=SECRET)


def forward(
    http: httpx.Client, resident: dict[str, str], service: str, host: str, **appeal: Any
) -> dict[str, Any]:
    r = http.post("/api/v1/appeals", json=appeal_body(emergency=True, **appeal), headers=resident)
    assert r.status_code == 201, r.text
    appeal_id = r.json()["id"]
    r = http.post(
        f"/api/v1/appeals/{appeal_id}/forward",
        json={"service": service},
        headers={**resident, "Host": host},
    )
    assert r.status_code == 201, r.text
    result: dict[str, Any] = r.json()
    return result


def state_of(http: httpx.Client, resident: dict[str, str], fwd: dict[str, Any]) -> str:
    r = http.get(f"/api/v1/appeals/{fwd['appeal_id']}/forwards", headers=resident)
    state: str = r.json()[0]["state"]
    return state


# ---------------------------------------------------------------- 1. Host


def test_forged_host_does_not_steer_forwarding_in_zero_config_dev(tmp_path: Path) -> None:
    """Dev with no settings (as the e2e tests start it): the forward reaches this server's own
    simulator and its confirmation comes back, while the host the request named gets nothing."""
    env = {"SECRET_KEY": SECRET, "EMERGENCY_WORKER_INTERVAL_S": "0.2"}
    env["EMERGENCY_CONFIRM_DELAY_S"] = "0.2"
    with recorder() as evil, backend_process(tmp_path / "d", env=env) as backend:
        resident = sign_in_http(backend.url, next_phone())
        with httpx.Client(base_url=backend.url, timeout=30) as http:
            fwd = forward(http, resident, "103", f"127.0.0.1:{evil.port}")
            wait_until(lambda: bool(evil.seen) or state_of(http, resident, fwd) == "accepted")
            assert [(s.method, s.path) for s in evil.seen] == []
            assert state_of(http, resident, fwd) == "accepted"
            key = {adapter.API_KEY_HEADER: adapter.api_key(dev_settings())}
            [incident] = http.get("/sim/emergency/incidents", headers=key).json()
        assert incident["payload"]["callback_url"] == f"{backend.url}/api/v1/emergency/callback"


def test_forged_host_and_leaked_secret_with_a_configured_system(tmp_path: Path) -> None:
    """Configured system and public URL: every link sent is built from PUBLIC_BASE_URL, and the
    callback secret of one incident does not confirm another resident's forward."""
    with recorder() as system, recorder() as evil:
        env = {
            "SECRET_KEY": SECRET,
            "EMERGENCY_WORKER_INTERVAL_S": "0.2",
            "EMERGENCY_SYSTEM_URL": system.url,
            "PUBLIC_BASE_URL": PUBLIC,
        }
        with backend_process(tmp_path / "d", env=env) as backend:
            forged = f"127.0.0.1:{evil.port}"
            a, b = (sign_in_http(backend.url, next_phone()) for _ in range(2))
            with httpx.Client(base_url=backend.url, timeout=30) as http:
                photo = http.post(
                    "/api/v1/media", headers=a, files={"file": ("p.jpg", jpeg(), "image/jpeg")}
                )
                assert photo.status_code == 201, photo.text
                fwd_a = forward(http, a, "103", forged, attachment_ids=[photo.json()["id"]])
                fwd_b = forward(http, b, "103", forged)
                posts = lambda: [s for s in system.seen if s.method == "POST"]  # noqa: E731
                assert wait_until(lambda: len(posts()) >= 2), system.seen
                assert evil.seen == []
                sent = {s.body["idempotency_key"]: s for s in posts()}
                key_a, key_b = (f"{f['appeal_id']}:103" for f in (fwd_a, fwd_b))
                for s in sent.values():
                    assert s.path == "/incidents"
                    assert s.body["callback_url"] == f"{PUBLIC}/api/v1/emergency/callback"
                    assert str(evil.port) not in json.dumps(s.body)
                [media] = sent[key_a].body["media"]
                assert media["url"].startswith(f"{PUBLIC}/api/v1/media/")

                secret_a = sent[key_a].body["callback_secret"]
                secret_b = sent[key_b].body["callback_secret"]
                assert secret_a != secret_b

                def confirm(key: str, secret: str) -> int:
                    body = {
                        "idempotency_key": key,
                        "incident_id": "INC-X",
                        "acceptance_id": "ACC-X",
                        "accepted_at": "2026-07-12T09:30:00+05:00",
                    }
                    headers = {adapter.CALLBACK_HEADER: secret}
                    r = http.post("/api/v1/emergency/callback", json=body, headers=headers)
                    return r.status_code

                assert confirm(key_b, secret_a) == 401  # A's secret, B's forward
                assert state_of(http, b, fwd_b) == "sent"
                assert confirm(key_a, secret_a) == 200
                assert confirm(key_b, secret_b) == 200
                assert state_of(http, b, fwd_b) == "accepted"


def test_unknown_host_is_refused_and_feed_links_ignore_the_host(tmp_path: Path) -> None:
    with backend_process(tmp_path / "d") as backend:
        for host in ("evil.example", "evil.example:9999", "city109.example.kz.evil.example"):
            r = httpx.get(f"{backend.url}/health", headers={"Host": host})
            assert r.status_code == 400, (host, r.status_code)
        r = httpx.get(f"{backend.url}/cap/feed.atom", headers={"Host": "127.0.0.1:9999"})
        assert r.status_code == 200
        assert b"9999" not in r.content
        assert f"{backend.url}/cap/feed.atom".encode() in r.content


# ---------------------------------------------------------------- 7. body limit


def rss_peak_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


def stream_body(url: str, path: str, ctype: str, total: int) -> tuple[int, bytes]:
    """POST a chunked body of `total` bytes until the server answers; (bytes sent, answer)."""
    parts = urlsplit(url)
    chunk = b"0" * (64 * 1024)
    frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    sent = 0
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as sock:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nContent-Type: {ctype}\r\n"
            "Transfer-Encoding: chunked\r\nAccept: application/json\r\n\r\n"
        )
        sock.sendall(head.encode())
        try:
            while sent < total and not select.select([sock], [], [], 0)[0]:
                sock.sendall(frame)
                sent += len(chunk)
            if sent >= total:
                sock.sendall(b"0\r\n\r\n")
        except OSError:  # the server stopped reading (a full window) or closed
            pass
        answer = b""
        sock.settimeout(60)
        try:
            while b"\r\n\r\n" not in answer:
                data = sock.recv(65536)
                if not data:
                    break
                answer += data
        except OSError:
            pass
    return sent, answer


@pytest.mark.parametrize(
    "ctype", ["multipart/form-data; boundary=x", "application/offset+octet-stream"]
)
def test_forged_upload_content_type_does_not_lift_the_body_cap(tmp_path: Path, ctype: str) -> None:
    total = 128 * MiB
    with backend_process(tmp_path / "d") as backend:
        before = rss_peak_kib(backend.proc.pid)
        sent, answer = stream_body(backend.url, "/api/v1/auth/otp/request", ctype, total)
        grown_mib = (rss_peak_kib(backend.proc.pid) - before) / 1024
        assert answer.startswith(b"HTTP/1.1 413"), (sent, answer[:200])
        assert sent < 24 * MiB, f"{sent / MiB:.0f} MiB sent before the answer"
        assert grown_mib < 32, f"server memory peak grew by {grown_mib:.0f} MiB"
        assert httpx.get(f"{backend.url}/health").status_code == 200


# ---------------------------------------------------------------- 8. X-Forwarded-For


def _otp_and_console_answers(backend: LiveProcess) -> tuple[list[int], list[int]]:
    """5 SMS codes and 12 wrong console passwords, each from a different X-Forwarded-For."""
    with httpx.Client(base_url=backend.url, timeout=30) as http:
        otp = [
            http.post(
                "/api/v1/auth/otp/request",
                json={"phone": next_phone()},
                headers={"X-Forwarded-For": f"203.0.113.{i}"},
            ).status_code
            for i in range(5)
        ]
        console = [
            http.post(
                "/console/login",
                data={"password": "wrong"},
                headers={"X-Forwarded-For": f"198.51.100.{i}"},
            ).status_code
            for i in range(12)
        ]
    return otp, console


def test_forwarded_for_from_an_unconfigured_address_lifts_no_cap(tmp_path: Path) -> None:
    env = {"OTP_MAX_SENDS_PER_IP_HOUR": "3"}
    with backend_process(tmp_path / "d", env=env) as backend:
        otp, console = _otp_and_console_answers(backend)
    assert otp == [200, 200, 200, 429, 429]
    assert console == [401] * 10 + [429] * 2


def test_forwarded_for_from_a_configured_proxy_names_the_client(tmp_path: Path) -> None:
    env = {"OTP_MAX_SENDS_PER_IP_HOUR": "3", "TRUSTED_PROXIES": "127.0.0.1"}
    with backend_process(tmp_path / "d", env=env) as backend:
        otp, console = _otp_and_console_answers(backend)
    assert otp == [200] * 5
    assert console == [401] * 12


# ---------------------------------------------------------------- 9. production settings


def production_env(**over: str) -> dict[str, str]:
    env = {
        "APP_ENV": "production",
        "SECRET_KEY": SECRET,
        "OPEN311_API_KEY": "an-open311-key-for-hostile-tests",
        "SMS_PROVIDER": "smsc",
        "SMSC_URL": "https://smsc.example.kz/sys/send.php",
        "SMSC_LOGIN": "city109",
        "SMSC_PASSWORD": "smsc-password-for-tests",
        "EMERGENCY_SYSTEM_URL": "https://emergency.example.kz/api",
        "PUBLIC_BASE_URL": PUBLIC,
        "ALLOWED_HOSTS": "127.0.0.1",  # the test reaches it at 127.0.0.1
    }
    env.update(over)
    return env


def start_fails(tmp_path: Path, env: dict[str, str]) -> str:
    """`python -m backend_stub` with `env`: it must exit by itself; its output."""
    port = free_port()
    cmd = [sys.executable, "-m", "backend_stub", "--host", "127.0.0.1", "--port", str(port)]
    cmd += ["--data-dir", str(tmp_path / "d")]
    full = {**os.environ, "PYTHONUNBUFFERED": "1", **env}
    out_pipe = subprocess.PIPE
    proc = subprocess.Popen(cmd, cwd=ROOT, env=full, stdout=out_pipe, stderr=subprocess.STDOUT)
    try:
        out, _ = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired as started:
        proc.kill()
        out, _ = proc.communicate()
        msg = f"production started with weak settings:\n{out.decode()[-2000:]}"
        raise AssertionError(msg) from started
    assert proc.returncode != 0
    return out.decode(errors="replace")


def test_production_refuses_to_start_with_weak_or_missing_settings(tmp_path: Path) -> None:
    weak = production_env(
        OPEN311_API_KEY="k",
        EMERGENCY_SYSTEM_URL="",
        PUBLIC_BASE_URL="",
        SMSC_PASSWORD="1",
    )
    out = start_fails(tmp_path, weak)
    for name in (
        "OPEN311_API_KEY",
        "EMERGENCY_SYSTEM_URL",
        "PUBLIC_BASE_URL",
        "SMSC_PASSWORD",
    ):
        assert name in out, (name, out[-2000:])
    assert SECRET not in out


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SECRET_KEY", "x" * 64),  # long but one character
        ("OPEN311_API_KEY", "dev-open311-key"),
        ("SMSC_LOGIN", ""),
        ("EMERGENCY_SYSTEM_URL", "http://emergency.example.kz"),  # not TLS
        ("EMERGENCY_SYSTEM_URL", "emergency.example.kz"),
        ("PUBLIC_BASE_URL", "http://city109.example.kz"),
        ("PUBLIC_BASE_URL", "https://"),
        ("TRUSTED_PROXIES", "*"),
        ("TRUSTED_PROXIES", "proxy.example.kz"),
    ],
)
def test_production_settings_refuse_each_weak_value(name: str, value: str) -> None:
    values = {k.lower(): v for k, v in production_env(**{name: value}).items()}
    with pytest.raises(ValidationError, match=name):
        Settings(_env_file=None, **values)  # type: ignore[arg-type]


def test_production_serves_no_api_docs_and_refuses_unknown_hosts(tmp_path: Path) -> None:
    with backend_process(tmp_path / "d", env=production_env()) as backend:
        for path in ("/docs", "/redoc", "/openapi.json", "/docs/oauth2-redirect"):
            r = httpx.get(backend.url + path)
            assert r.status_code == 404, (path, r.status_code)
        assert httpx.get(backend.url + "/health").status_code == 200
        evil = httpx.get(backend.url + "/health", headers={"Host": "evil.example"})
        assert evil.status_code == 400
        assert httpx.get(backend.url + "/health", headers={"Host": "testserver"}).status_code == 400
        public = httpx.get(backend.url + "/health", headers={"Host": "city109.example.kz"})
        assert public.status_code == 200
