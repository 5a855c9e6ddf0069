"""The launcher: arguments, environment, and the no-network desktop/web decision."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import launcher
from app.config import DEFAULT_SYNC_PERIOD_S, AppConfig, user_data_dir


def test_config_from_env_precedence(tmp_path: Path) -> None:
    env = {"API_URL": "http://x:1/", "APP_DATA_DIR": str(tmp_path / "a"),
           "FLET_APP_STORAGE_DATA": str(tmp_path / "b")}  # fmt: skip
    cfg = AppConfig.from_env(env)
    assert cfg.api_url == "http://x:1"
    assert cfg.data_dir == tmp_path / "a"
    assert cfg.db_path == tmp_path / "a" / "app.db"
    del env["APP_DATA_DIR"]
    assert AppConfig.from_env(env).data_dir == tmp_path / "b"  # flet run / phones


def test_sync_period_from_env_is_kept_in_range() -> None:
    def period(text: str) -> float:
        return AppConfig.from_env({"HOME": "/home/u", "SYNC_PERIOD_S": text}).sync_period_s

    assert AppConfig.from_env({"HOME": "/home/u"}).sync_period_s == DEFAULT_SYNC_PERIOD_S
    assert period("12.5") == 12.5
    assert period("0.01") == 5.0  # a typo must not poll the server in a tight loop
    assert period("999999") == 3600.0  # nor stop pulling for days
    assert period("soon") == DEFAULT_SYNC_PERIOD_S
    assert period("nan") == DEFAULT_SYNC_PERIOD_S


def test_per_user_data_dir_fallback() -> None:
    assert user_data_dir({"HOME": "/home/u"}, "linux") == Path("/home/u/.local/share/city109")
    assert user_data_dir({"HOME": "/home/u", "XDG_DATA_HOME": "/x"}, "linux") == Path("/x/city109")
    assert user_data_dir({"HOME": "/Users/u"}, "darwin") == Path(
        "/Users/u/Library/Application Support/city109"
    )
    assert user_data_dir({"HOME": "C:/u", "APPDATA": "C:/u/AppData/Roaming"}, "win32") == Path(
        "C:/u/AppData/Roaming/city109"
    )
    assert AppConfig.from_env({"HOME": "/home/u"}).api_url == "http://127.0.0.1:8109"


def test_args_go_into_the_environment(tmp_path: Path) -> None:
    args = launcher.parse_args(
        ["--web", "--port", "9000", "--api-url", "http://api:8109", "--data-dir", str(tmp_path)]
    )
    env: dict[str, str] = {}
    cfg = launcher.apply_args(args, env)
    assert args.web and args.port == 9000
    assert env == {"API_URL": "http://api:8109", "APP_DATA_DIR": str(tmp_path.resolve())}
    assert cfg.data_dir == tmp_path.resolve()


def test_no_display_means_web(tmp_path: Path) -> None:
    if not launcher.sys.platform.startswith("linux"):
        pytest.skip("display check is Linux-only")
    assert launcher.desktop_client_available({}, home=tmp_path) is False


def test_no_desktop_package_means_web(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(launcher, "_desktop_package_dir", lambda: None)
    assert launcher.desktop_client_available({"DISPLAY": ":0"}, home=tmp_path) is False


def test_cached_client_means_desktop(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    package = tmp_path / "flet_desktop"
    package.mkdir()
    version = launcher.flet.version.flet_version
    (package / "version.py").write_text(f'version = "{version}"\n')
    monkeypatch.setattr(launcher, "_desktop_package_dir", lambda: package)
    monkeypatch.chdir(tmp_path)
    env = {"DISPLAY": ":0"}
    assert launcher.desktop_client_available(env, home=tmp_path) is False  # would download
    (tmp_path / ".flet" / "client" / f"flet-desktop-light-{version}").mkdir(parents=True)
    assert launcher.desktop_client_available(env, home=tmp_path) is True


def test_mismatched_desktop_package_means_web(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    package = tmp_path / "flet_desktop"
    (package / "app").mkdir(parents=True)
    (package / "app" / "flet-linux.tar.gz").write_bytes(b"x")
    (package / "version.py").write_text('version = "0.0.1"\n')
    monkeypatch.setattr(launcher, "_desktop_package_dir", lambda: package)
    assert launcher.desktop_client_available({"DISPLAY": ":0"}, home=tmp_path) is False
