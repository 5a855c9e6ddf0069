"""Where the server URL comes from (device override → `API_URL` → bundled → default), what a
build is given (`bundled_settings.json`, written by `python -m app.configure`), and which URLs
a production build refuses."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from app import configure
from app.config import (
    DEFAULT_API_URL,
    ApiUrlError,
    ApiUrlSource,
    AppConfig,
    BundledSettings,
    check_api_url,
)

HOME = {"HOME": "/home/u"}
PROD = BundledSettings(api_url="https://api.city109.kz/", developer_menu=False, version="1.2.3")
TESTERS = BundledSettings(api_url="http://192.168.1.20:8109", developer_menu=True)


def source_and_url(config: AppConfig) -> tuple[ApiUrlSource, str]:
    return config.api_url_source, config.api_url


def test_env_comes_before_bundled_which_comes_before_the_default() -> None:
    env = {**HOME, "API_URL": "http://127.0.0.1:9000/"}
    assert source_and_url(AppConfig.from_env(env, PROD)) == (
        ApiUrlSource.ENV,
        "http://127.0.0.1:9000",
    )
    assert source_and_url(AppConfig.from_env(HOME, PROD)) == (
        ApiUrlSource.BUNDLED,
        "https://api.city109.kz",
    )
    assert source_and_url(AppConfig.from_env(HOME, BundledSettings())) == (
        ApiUrlSource.DEFAULT,
        DEFAULT_API_URL,
    )


def test_a_testers_saved_url_comes_first_and_only_in_a_testers_build() -> None:
    env = {**HOME, "API_URL": "http://127.0.0.1:9000"}
    testers = AppConfig.from_env(env, TESTERS)
    assert testers.developer_menu
    saved = testers.with_device_override("http://10.0.0.5:8109/")
    assert source_and_url(saved) == (ApiUrlSource.DEVICE, "http://10.0.0.5:8109")
    assert testers.with_device_override(None) is testers
    production = AppConfig.from_env(HOME, PROD)
    assert not production.developer_menu
    assert production.with_device_override("https://other.kz") == production
    assert testers.with_device_override("ftp://x") == testers  # no longer a URL: not used


def test_a_production_build_refuses_plain_http_and_uses_the_default(
    caplog: pytest.LogCaptureFixture,
) -> None:
    plain = BundledSettings(api_url="http://api.city109.kz", developer_menu=False)
    with caplog.at_level(logging.ERROR, logger="app.config"):
        config = AppConfig.from_env(HOME, plain)
    assert source_and_url(config) == (ApiUrlSource.DEFAULT, DEFAULT_API_URL)
    assert "production build talks only https" in caplog.text
    loopback = BundledSettings(api_url="http://localhost:8109", developer_menu=False)
    assert AppConfig.from_env(HOME, loopback).api_url_source is ApiUrlSource.BUNDLED
    # a tester's build may use a test server on the LAN
    assert source_and_url(AppConfig.from_env(HOME, TESTERS)) == (
        ApiUrlSource.BUNDLED,
        "http://192.168.1.20:8109",
    )


@pytest.mark.parametrize(
    ("text", "https_only", "reason"),
    [
        ("api.city109.kz", False, "not_a_url"),
        ("https://", False, "not_a_url"),
        ("https://api city.kz", False, "not_a_url"),
        ("https://user:pw@api.kz", False, "not_a_url"),
        ("https://api.kz?x=1", False, "not_a_url"),
        ("https://api.kz:99999", False, "not_a_url"),
        ("ftp://api.kz", False, "not_http"),
        ("http://api.kz", True, "not_https"),
    ],
)
def test_urls_the_app_will_not_use(text: str, https_only: bool, reason: str) -> None:
    with pytest.raises(ApiUrlError) as caught:
        check_api_url(text, https_only=https_only)
    assert caught.value.reason == reason


@pytest.mark.parametrize(
    ("text", "url"),
    [
        (" https://api.city109.kz/ ", "https://api.city109.kz"),
        ("https://city.kz/109/", "https://city.kz/109"),  # behind a reverse proxy's path
        ("http://127.0.0.1:8109", "http://127.0.0.1:8109"),
        ("http://[::1]:8109", "http://[::1]:8109"),
        ("HTTPS://API.KZ", "HTTPS://API.KZ"),
    ],
)
def test_urls_a_production_build_takes(text: str, url: str) -> None:
    assert check_api_url(text, https_only=True) == url


def test_bundled_file_missing_broken_or_written(tmp_path: Path) -> None:
    path = tmp_path / "bundled_settings.json"
    assert BundledSettings.load(path) == BundledSettings()  # a development checkout
    assert BundledSettings.load(path).developer_menu
    path.write_text("{not json", encoding="utf-8")
    assert BundledSettings.load(path) == BundledSettings(developer_menu=False)
    path.write_text('["https://x.kz"]', encoding="utf-8")
    assert BundledSettings.load(path) == BundledSettings(developer_menu=False)
    path.write_text(json.dumps({"api_url": "https://x.kz", "developer_menu": "yes"}), "utf-8")
    assert BundledSettings.load(path) == BundledSettings(
        api_url="https://x.kz", developer_menu=False
    )


def test_configure_writes_what_the_app_reads(tmp_path: Path) -> None:
    path = tmp_path / "bundled_settings.json"
    assert configure.main(["--api-url", "https://api.city109.kz/", "--output", str(path)]) == 0
    bundled = BundledSettings.load(path)
    assert bundled == BundledSettings(
        api_url="https://api.city109.kz",
        developer_menu=False,
        version=configure.project_version(),
    )
    config = AppConfig.from_env(HOME, bundled)
    assert source_and_url(config) == (ApiUrlSource.BUNDLED, "https://api.city109.kz")
    assert config.version == configure.project_version() != "dev"
    args = ["--api-url", "http://192.168.1.20:8109", "--developer-menu", "--output", str(path)]
    assert configure.main(args) == 0
    assert BundledSettings.load(path).developer_menu
    assert configure.main(["--clear", "--output", str(path)]) == 0
    assert not path.exists()


def test_configure_refuses_plain_http_for_production(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bundled_settings.json"
    path.write_text('{"api_url": "https://kept.kz"}', encoding="utf-8")
    assert configure.main(["--api-url", "http://api.city109.kz", "--output", str(path)]) == 2
    assert "production build talks only https" in capsys.readouterr().err
    assert BundledSettings.load(path).api_url == "https://kept.kz"  # the old file untouched
    assert configure.main(["--api-url", "api.city109.kz", "--output", str(path)]) == 2
    assert "is not a server URL" in capsys.readouterr().err
