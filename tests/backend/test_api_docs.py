"""`/docs` works offline (Swagger UI from this server, no CDN); `--help` explains every option."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from backend_stub.__main__ import parse_args
from backend_stub.main import create_app
from tests.backend.support import production_settings

ROOT = Path(__file__).resolve().parents[2]
_URL = re.compile(r"""(?:src|href|url)\s*[:=]\s*['"]([^'"]+)['"]""")


def test_docs_page_names_only_this_servers_files_and_they_answer(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    html = page.text
    assert "swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "https://" not in html and "http://" not in html
    urls = _URL.findall(html)
    assert {"/docs/assets/swagger-ui-bundle.js", "/docs/assets/swagger-ui.css"} <= set(urls)
    assert "/openapi.json" in urls
    for url in urls:
        assert url.startswith("/"), url
        r = client.get(url)
        assert r.status_code == 200, url
        assert r.content, url
    js = client.get("/docs/assets/swagger-ui-bundle.js")
    assert "javascript" in js.headers["content-type"]
    assert len(js.content) > 100_000  # the real bundle, not a stub
    assert client.get("/docs/oauth2-redirect").status_code == 200


def test_production_serves_no_docs_nor_their_files(tmp_path: Path) -> None:
    app = create_app(production_settings(tmp_path))
    with TestClient(app, base_url="https://city109.example.kz") as client:
        for path in ("/docs", "/docs/assets/swagger-ui-bundle.js", "/docs/oauth2-redirect"):
            assert client.get(path).status_code == 404, path


def test_help_describes_the_server_and_every_option() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "backend_stub", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    assert "109" in out and "/docs" in out and "operator console" in out
    assert "`python -m" not in out  # a description, not the module's raw docstring
    for option in ("--host", "--port", "--data-dir", "--demo", "--autopilot"):
        line = next(line for line in out.splitlines() if line.strip().startswith(option))
        assert len(line.split()) >= 5, f"{option} has no help: {line!r}"  # option, metavar, help
    assert "8109" in out and "127.0.0.1" in out  # the defaults are shown


def test_options_parse_as_documented() -> None:
    args = parse_args(["--host", "0.0.0.0", "--port", "9000", "--data-dir", "/tmp/x", "--demo"])
    assert (args.host, args.port, args.data_dir) == ("0.0.0.0", 9000, Path("/tmp/x"))
    assert args.demo
