"""What `flet build apk` / `flet build ipa` would put into the phone app, decided the way
flet-cli 1.0.5 and serious_python decide it.

flet-cli (`BuildCommand.package_python_app`) excludes `build`, then `[tool.flet.<platform>.app]
exclude` or else `[tool.flet.app] exclude`, then its default excludes (`find_default_excludes`:
hidden entries at the root, virtual environments and `__pycache__` at any depth), and passes the
list to serious_python's `package`, whose `copyDirectory` skips an entry only when its path
relative to the app directory equals one of them (no patterns). This module imports flet-cli's
own `find_default_excludes` and repeats the rest, so a test can list the bundle without Flutter.
"""

from __future__ import annotations

import os
import shutil
import tomllib
from pathlib import Path
from typing import Any

from flet_cli.utils.app_excludes import find_default_excludes

PROJECT = Path(__file__).resolve().parents[2]
# What the phone app is made of: the entry point, the client package, its images and its
# translations. Everything else in the repository stays out of the bundle.
CLIENT = ("main.py", "app", "assets", "locales")
# The config sections `flet build apk` and `flet build ipa` read (`config_platform`).
PHONE_PLATFORMS = ("android", "ios")


def flet_settings(project: Path = PROJECT) -> dict[str, Any]:
    with (project / "pyproject.toml").open("rb") as f:
        return tomllib.load(f).get("tool", {}).get("flet", {})


def app_dir(project: Path = PROJECT) -> Path:
    return project / flet_settings(project).get("app", {}).get("path", ".")


def excludes(project: Path = PROJECT, platform: str = "android") -> list[str]:
    """The exclude list flet-cli hands to serious_python for `platform`."""
    flet = flet_settings(project)
    platform_app = flet.get(platform, {}).get("app", {})
    app = flet.get("app", {})
    explicit = ["build", *platform_app.get("exclude", app.get("exclude", []))]
    include = platform_app.get("include", app.get("include", []))
    default = find_default_excludes(app_dir(project), include, explicit)
    return list(dict.fromkeys(explicit + default))


def packaged_files(project: Path = PROJECT, platform: str = "android") -> list[str]:
    """Every file (relative path, `/`-separated) serious_python would copy into the bundle."""
    root = app_dir(project)
    skip = {os.path.normpath(p) for p in excludes(project, platform)}
    found: list[str] = []

    def walk(directory: Path) -> None:
        for entry in sorted(directory.iterdir()):
            relative = os.path.relpath(entry, root)
            if relative in skip:
                continue
            if entry.is_dir():
                walk(entry)
            elif entry.is_file():
                found.append(Path(relative).as_posix())

    walk(root)
    return found


def outside_client(files: list[str]) -> list[str]:
    """The files that are not part of the client (`CLIENT`)."""
    return [f for f in files if f.split("/", 1)[0] not in CLIENT]


def copy_bundle(destination: Path, project: Path = PROJECT) -> Path:
    """Copy what the Android bundle would hold into `destination` (a stand-in app directory)."""
    root = app_dir(project)
    for relative in packaged_files(project):
        target = destination / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / relative, target)
    return destination
