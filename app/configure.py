"""`python -m app.configure --api-url URL [--developer-menu]`: write what a build is given,
`app/bundled_settings.json`, before `flet build` (`--clear` removes it: back to a development
checkout). See `app.config` for how the app reads it.

A production build (no `--developer-menu`) must talk https: an http URL other than loopback is
refused here, with exit code 2, so a build that would send residents' data in clear text is
never made.
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from collections.abc import Sequence
from pathlib import Path

from app.config import BUNDLED_SETTINGS_PATH, ApiUrlError, check_api_url

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
REASONS = {
    "not_a_url": "is not a server URL (like https://api.example.kz)",
    "not_http": "must start with https:// (http:// only for a tester's build)",
    "not_https": "is plain http: a production build talks only https "
    "(add --developer-menu for a tester's build)",
}


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m app.configure", description="Write the settings a phone build is given."
    )
    action = p.add_mutually_exclusive_group(required=True)
    action.add_argument("--api-url", help="the server the built app talks to (https)")
    action.add_argument("--clear", action="store_true", help="remove the bundled settings")
    p.add_argument(
        "--developer-menu",
        action="store_true",
        help="a tester's build: the hidden developer screen may change the server",
    )
    p.add_argument("--output", type=Path, default=BUNDLED_SETTINGS_PATH, help=argparse.SUPPRESS)
    return p.parse_args(argv)


def project_version(pyproject: Path = PYPROJECT) -> str | None:
    try:
        with pyproject.open("rb") as f:
            version = tomllib.load(f).get("project", {}).get("version")
    except (OSError, tomllib.TOMLDecodeError):
        return None
    return version if isinstance(version, str) else None


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.clear:
        args.output.unlink(missing_ok=True)
        print(f"removed {args.output}: the app runs as a development checkout")
        return 0
    try:
        url = check_api_url(args.api_url, https_only=not args.developer_menu)
    except ApiUrlError as exc:
        print(f"error: --api-url {args.api_url!r} {REASONS[exc.reason]}", file=sys.stderr)
        return 2
    settings = {"api_url": url, "developer_menu": args.developer_menu}
    version = project_version()
    if version:
        settings["version"] = version
    args.output.write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")
    kind = "a tester's build (developer menu)" if args.developer_menu else "a production build"
    print(f"wrote {args.output}: {url}, {kind}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
