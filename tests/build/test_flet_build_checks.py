"""flet-cli's own checks of the project, run with the stand-in Flutter SDK (`fake_flutter/`):
`flet build web` on a copy of the project gets past the entry point, `[tool.flet]` and the
Python version, and stops only where it downloads Flutter's app template. Every download goes to
a proxy that refuses it, so the build stops there on any machine, online or not.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.build.bundle import PROJECT, copy_bundle

FAKE_FLUTTER = Path(__file__).with_name("fake_flutter")
FLET = Path(sys.executable).with_name("flet")
# The step after the project checks: rendering the app shell from the template (downloaded).
PAST_THE_CHECKS = ("create_flutter_project", "template_cache")
NO_DOWNLOADS = "http://127.0.0.1:9"  # the discard port: nothing listens, a connection is refused
PROXIES = ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy")


def flet_build_web(project: Path, home: Path) -> subprocess.CompletedProcess[str]:
    home.mkdir()
    env = {
        **os.environ,
        "HOME": str(home),
        "PATH": f"{FAKE_FLUTTER}{os.pathsep}{os.environ['PATH']}",
        "FLET_PYTHON_BUILD_MANIFEST": str(FAKE_FLUTTER / "manifest.json"),
        "FAKE_FLUTTER_LOG": str(home / "flutter.log"),
        "COLUMNS": "200",
        **dict.fromkeys(PROXIES, NO_DOWNLOADS),
    }
    for name in ("NO_PROXY", "no_proxy"):
        env.pop(name, None)
    return subprocess.run(
        [str(FLET), "build", "web", "--yes", "--skip-flutter-doctor", "--python-version", "3.12"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )


def project_copy(where: Path) -> Path:
    """What `flet build` reads: pyproject.toml (and its README) beside the bundle's files."""
    copy_bundle(where)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(PROJECT / name, where / name)
    return where


def test_flet_build_passes_its_project_checks(tmp_path: Path) -> None:
    run = flet_build_web(project_copy(tmp_path / "project"), tmp_path / "home")
    output = run.stdout + run.stderr
    assert "not found in the root of Flet app directory" not in output
    assert "╭" not in output, output  # flet-cli boxes the message of a failed check
    last_frames = output[output.rfind("Traceback") :]
    assert any(step in last_frames for step in PAST_THE_CHECKS), output
    assert "flutter --version" in (tmp_path / "home" / "flutter.log").read_text()


def test_the_check_fails_on_a_missing_entry_point(tmp_path: Path) -> None:
    project = project_copy(tmp_path / "project")
    (project / "main.py").unlink()
    run = flet_build_web(project, tmp_path / "home")
    assert run.returncode != 0
    assert "main.py not found in the root of Flet app directory" in run.stdout + run.stderr
