"""`python -m app [--web] [--port P] [--api-url URL] [--data-dir DIR]`.

Opens the desktop window when the Flet desktop client is already on this machine and there is
a display; otherwise (or with `--web`) serves the app to the browser with no CDN, printing the
URL. Deciding needs no network: the desktop client is looked for exactly where `flet_desktop`
would look (a `flet build` output, `FLET_VIEW_PATH`, `~/.flet/client/flet-desktop-*-<version>`,
or an archive bundled in the package) and never downloaded.
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import os
import secrets
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import flet as ft
import flet.version

from app.config import AppConfig
from app.data.services.media import MAX_VIDEO_BYTES
from app.data.services.picker import upload_dir_for

PROJECT_DIR = Path(__file__).resolve().parent.parent
ASSETS_DIR = PROJECT_DIR / "assets"
DEFAULT_WEB_PORT = 8550


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m app", description="109 — the resident's app")
    p.add_argument("--web", action="store_true", help="serve in the browser even with a desktop")
    p.add_argument(
        "--host", default="127.0.0.1", help="web mode: address to listen on (0.0.0.0 = LAN too)"
    )
    p.add_argument("--port", type=int, default=None, help=f"web mode port ({DEFAULT_WEB_PORT})")
    p.add_argument("--api-url", default=None, help="backend URL (env API_URL)")
    p.add_argument("--data-dir", type=Path, default=None, help="local data dir (env APP_DATA_DIR)")
    return p.parse_args(argv)


def _has_display(env: Mapping[str, str]) -> bool:
    if sys.platform.startswith("linux"):
        return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))
    return True


def _desktop_package_dir() -> Path | None:
    spec = importlib.util.find_spec("flet_desktop")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def desktop_client_available(
    env: Mapping[str, str] | None = None, home: Path | None = None
) -> bool:
    """True only if a desktop window can open without downloading anything."""
    env = os.environ if env is None else env
    if not _has_display(env):
        return False
    package = _desktop_package_dir()
    if package is None:
        return False  # flet would try to pip-install flet-desktop
    version = _desktop_version(package)
    if version and version != flet.version.flet_version:
        return False  # flet would try to reinstall it
    build_dir = Path.cwd() / "build" / sys.platform.replace("darwin", "macos").rstrip("32")
    if build_dir.is_dir() and any(build_dir.iterdir()):
        return True
    view_path = env.get("FLET_VIEW_PATH")
    if view_path and Path(view_path).exists():
        return True
    home = home or Path.home()
    client_dir = home / ".flet" / "client"
    if any(client_dir.glob(f"flet-desktop-*-{version or flet.version.flet_version}")):
        return True
    bundled = package / "app"
    return bundled.is_dir() and any(bundled.iterdir())


def _desktop_version(package: Path) -> str | None:
    version_file = package / "version.py"
    if not version_file.exists():
        return None
    for line in version_file.read_text(encoding="utf-8").splitlines():
        if line.strip().startswith("version") and "=" in line:
            return line.split("=", 1)[1].strip().strip("\"'") or None
    return None


def apply_args(args: argparse.Namespace, env: dict[str, str] | None = None) -> AppConfig:
    """Put CLI choices into the environment (read again by every page session)."""
    env = os.environ if env is None else env  # type: ignore[assignment]
    assert env is not None
    if args.api_url:
        env["API_URL"] = args.api_url
    if args.data_dir:
        env["APP_DATA_DIR"] = str(args.data_dir.expanduser().resolve())
    return AppConfig.from_env(env)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(
        level=os.environ.get("LOG_LEVEL", "INFO"),
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    for noisy in ("httpx", "httpcore", "flet", "flet_web", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    config = apply_args(args)
    from app.main import main as app_main

    web = args.web or not desktop_client_available()
    if not web:
        print(f"109: opening the desktop window (API {config.api_url}, data {config.data_dir})")
        ft.run(app_main, view=ft.AppView.FLET_APP, assets_dir=str(ASSETS_DIR))
        return
    port = args.port or int(os.environ.get("PORT") or DEFAULT_WEB_PORT)
    host = args.host
    shown = host if host not in ("", "0.0.0.0", "*") else "127.0.0.1"
    reason = "--web given" if args.web else "no Flet desktop client on this machine"
    print(
        f"109: serving in the browser ({reason}). Open http://{shown}:{port}/\n"
        f"     API {config.api_url}, data {config.data_dir}",
        flush=True,
    )
    # Web uploads of picked photos/videos (the browser gives no file path): Flet's upload
    # endpoint writes into upload_dir and signs its URLs with FLET_SECRET_KEY (random per run
    # unless set). Bigger files than a video may be are cut off by the endpoint too.
    os.environ.setdefault("FLET_SECRET_KEY", secrets.token_urlsafe(32))
    os.environ.setdefault("FLET_MAX_UPLOAD_SIZE", str(MAX_VIDEO_BYTES + 1024 * 1024))
    ft.run(
        app_main,
        view=ft.AppView.WEB_BROWSER,
        host=host,
        port=port,
        no_cdn=True,
        assets_dir=str(ASSETS_DIR),
        upload_dir=str(upload_dir_for(config.data_dir)),
    )
