"""`/docs` and `/redoc` work offline (Swagger UI and ReDoc from this server, no CDN, dev
only); `--help` explains every option."""

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


def _local_files_answer(client: TestClient, html: str) -> set[str]:
    """The files a docs page names: all on this server (no CDN, no fonts from the internet),
    each answering; the set of their URLs."""
    assert "cdn" not in html.lower() and "https://" not in html and "http://" not in html
    assert "fonts.googleapis" not in html
    urls = set(_URL.findall(html))
    for url in urls:
        assert url.startswith("/"), url
        r = client.get(url)
        assert r.status_code == 200, url
        assert r.content, url
    return urls


def test_docs_page_names_only_this_servers_files_and_they_answer(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    urls = _local_files_answer(client, page.text)
    js, css = "/docs/assets/swagger/swagger-ui-bundle.js", "/docs/assets/swagger/swagger-ui.css"
    assert {js, css, "/openapi.json"} <= urls
    bundle = client.get(js)
    assert "javascript" in bundle.headers["content-type"]
    assert len(bundle.content) > 100_000  # the real bundle, not a stub
    assert b"SwaggerUIBundle" in bundle.content
    assert client.get("/docs/oauth2-redirect").status_code == 200


def test_redoc_page_runs_redoc_from_this_server(client: TestClient) -> None:
    page = client.get("/redoc")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    urls = _local_files_answer(client, page.text)
    js = "/docs/assets/redoc/redoc.standalone.js"
    assert {js, "/openapi.json"} <= urls
    assert '<redoc spec-url="/openapi.json">' in page.text
    bundle = client.get(js)
    assert "javascript" in bundle.headers["content-type"]
    assert len(bundle.content) > 500_000 and b"Redoc" in bundle.content  # ReDoc itself


def test_the_docs_assets_hold_no_more_than_their_files(client: TestClient) -> None:
    for path in ("/docs/assets/../api_docs.py", "/docs/assets/%2e%2e/%2e%2e/__init__.py",
                 "/docs/assets/nothing.js", "/docs/assets/"):  # fmt: skip
        r = client.get(path)
        assert r.status_code == 404, path
        assert "fastapi_standalone_docs" not in r.text and "import" not in r.text, path


def test_production_serves_no_docs_nor_their_files(tmp_path: Path) -> None:
    app = create_app(production_settings(tmp_path))
    with TestClient(app, base_url="https://city109.example.kz") as client:
        for path in ("/docs", "/redoc", "/docs/assets/swagger/swagger-ui-bundle.js",
                     "/docs/assets/redoc/redoc.standalone.js", "/docs/oauth2-redirect",
                     "/openapi.json"):  # fmt: skip
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
