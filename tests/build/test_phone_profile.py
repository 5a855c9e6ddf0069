"""The phone profile: the client as a phone runs it. A fresh venv holds only the client's own
dependencies (`[project] dependencies`, exactly what `flet build` installs for a phone: no server
or test extras); the app comes from a copy of what the phone bundle would hold (`bundle.py`);
there is no system time-zone database (`PYTHONTZPATH=/nonexistent`, no `TZ`: Android has none
where Python looks). `phone_profile_check.py` then imports every module and builds, starts and
closes a page session with no server.

Needs PyPI (or pip's cache); about a minute with a warm cache.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from tests.build.bundle import PROJECT, copy_bundle

CHECK = Path(__file__).with_name("phone_profile_check.py")


def client_dependencies() -> list[str]:
    with (PROJECT / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)["project"]["dependencies"]


def phone_venv(where: Path) -> Path:
    """A venv with the client's dependencies and nothing else; its python."""
    subprocess.run([sys.executable, "-m", "venv", str(where)], check=True)
    python = where / "bin" / "python"
    install = [str(python), "-m", "pip", "install", "-q", *client_dependencies()]
    done = subprocess.run(install, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"pip could not install the client's dependencies:\n{done.stderr}"
    return python


def phone_env(bundle: Path) -> dict[str, str]:
    """No system time-zone database, no TZ, nothing of the developer's environment."""
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    env.update(PYTHONTZPATH="/nonexistent", PYTHONPATH=str(bundle), PYTHONDONTWRITEBYTECODE="1")
    return env


def test_the_client_starts_with_its_own_dependencies_and_no_time_zone_database(
    tmp_path: Path,
) -> None:
    python = phone_venv(tmp_path / "venv")
    bundle = copy_bundle(tmp_path / "bundle")
    shutil.copy(CHECK, tmp_path / CHECK.name)
    run = subprocess.run(
        [str(python), str(tmp_path / CHECK.name)],
        cwd=bundle,
        env=phone_env(bundle),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "PHONE OK" in run.stdout
