"""What the phone app would be packaged from (`bundle.py`, flet-cli's and serious_python's
rules): the client and nothing else — no server code, tests, benchmarks, docs, scripts or local
data (a local database holds session tokens)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.build.bundle import CLIENT, PHONE_PLATFORMS, PROJECT, outside_client, packaged_files


@pytest.mark.parametrize("platform", PHONE_PLATFORMS)
def test_the_phone_bundle_holds_the_client_and_nothing_else(platform: str) -> None:
    files = packaged_files(PROJECT, platform)
    assert outside_client(files) == []
    assert "main.py" in files
    assert "app/main.py" in files
    assert "locales/kk/LC_MESSAGES/messages.po" in files
    assert "locales/ru/LC_MESSAGES/messages.po" in files
    assert "assets/icon.png" in files
    assert not any("__pycache__" in f for f in files)


def fake_project(root: Path) -> Path:
    """The project's pyproject and entry point, and one file of every top-level entry a
    working tree may hold, the client's and the others'."""
    root.mkdir()
    shutil.copy(PROJECT / "pyproject.toml", root)
    for entry in [*CLIENT, "backend_stub", "tests", "bench", "docs", "scripts", "data"]:
        path = root / entry
        if entry.endswith(".py"):
            path.write_text("")
        else:
            path.mkdir()
            (path / "x.py").write_text("")
    (root / "data" / "app.db").write_text("tokens")
    (root / ".venv").mkdir()
    (root / ".venv" / "pyvenv.cfg").write_text("")
    (root / "build").mkdir()
    (root / "build" / "leftover").write_text("")
    return root


def test_only_the_client_of_a_full_working_tree_is_packaged(tmp_path: Path) -> None:
    project = fake_project(tmp_path / "p")
    assert packaged_files(project) == [
        "app/x.py",
        "assets/x.py",
        "locales/x.py",
        "main.py",
    ]


def test_a_stray_file_at_the_root_is_caught(tmp_path: Path) -> None:
    project = fake_project(tmp_path / "p")
    (project / "local.db").write_text("tokens")
    (project / "app" / "__pycache__").mkdir()
    (project / "app" / "__pycache__" / "x.pyc").write_text("")
    assert outside_client(packaged_files(project)) == ["local.db"]
