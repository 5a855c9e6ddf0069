"""Settings of the backend, read from the environment (and `.env`) by pydantic-settings."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from backend_stub import settings_rules
from backend_stub.settings_rules import DEV_OPEN311_KEY, DEV_SECRET

__all__ = ["DEV_OPEN311_KEY", "DEV_SECRET", "Settings"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", hide_input_in_errors=True)

    app_env: Literal["dev", "production"] = "dev"
    secret_key: str = DEV_SECRET
    data_dir: Path = Path("./data")
    # Empty: a SQLite file `city109.db` in data_dir. Any SQLAlchemy URL works, e.g.
    # postgresql+psycopg://user:pass@localhost/city109
    database_url: str = ""
    # Where stored files and unfinished uploads live (default: DATA_DIR). Every server process
    # must see the same directory: on one machine DATA_DIR is; across machines a shared mount.
    media_root: Path | None = None
    demo: bool = False

    # Where residents' apps and the emergency system reach this server, e.g.
    # https://api.109.astana.kz (required in production). Every link the server hands out
    # (callback, media, Atom/CAP feed) is built from it, never from a request's Host header.
    # Empty in dev: `python -m backend_stub` sets http://HOST:PORT of its --host/--port; an app
    # served some other way (tests) uses the address of the socket the request came in on.
    public_base_url: str = ""
    # Host names a request may name besides PUBLIC_BASE_URL's (comma-separated; "*.x.kz" covers
    # subdomains). Dev also takes 127.0.0.1, localhost, ::1 and testserver; other hosts get 400.
    allowed_hosts: str = ""
    # Reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (comma-separated IPs
    # or networks). Empty: the peer address of the connection is the client, whatever it says.
    trusted_proxies: str = ""
    # Requests one server process works on at once (the push stream, uploads and /health not
    # counted); past it 503 `server_busy` with Retry-After at once (backend_stub/overload.py).
    # 0: no cap.
    max_requests_in_flight: int = 128

    # Tokens
    access_token_ttl_s: int = 15 * 60
    refresh_token_ttl_s: int = 30 * 24 * 3600
    # A spent refresh token sent again this soon gets the same new pair (a lost answer); later,
    # it revokes its whole session (RFC 9700 4.14.2: someone else holds it).
    refresh_reuse_grace_s: int = 60

    # SMS one-time codes
    otp_ttl_s: int = 300
    otp_max_attempts_per_code: int = 5
    otp_max_failures_per_phone: int = 10  # across codes, inside otp_lock_window_s
    otp_lock_window_s: int = 24 * 3600  # a day: pacing guesses under the cap gains nothing
    otp_lock_s: int = 3600
    otp_resend_cooldown_s: int = 60
    otp_max_sends_per_phone_hour: int = 5
    otp_max_sends_per_ip_hour: int = 30

    # SMS gateway: "console" (dev inbox) or "smsc" (SMSC.kz HTTP API)
    sms_provider: Literal["console", "smsc"] = "console"
    smsc_url: str = "https://smsc.kz/sys/send.php"
    smsc_login: str = ""
    smsc_password: str = ""
    smsc_sender: str = ""
    smsc_timeout_s: float = Field(default=10.0, gt=0, le=60)  # one send; then 502 sms_failed

    # Media
    max_image_bytes: int = 15 * 1024 * 1024
    max_video_bytes: int = 100 * 1024 * 1024
    max_image_pixels: int = 40_000_000
    stored_image_max_side: int = 2560
    media_link_ttl_s: int = 3600  # a signed media link (video players send no token)

    # Open311 GeoReport v2
    open311_api_key: str = DEV_OPEN311_KEY

    # The demo operator's phone (its staff account, seeded with --demo, is the one the demo
    # autopilot acts as). Staff sign in with their own accounts: `python -m backend_stub.staff`.
    operator_phone: str = "+77000000109"

    # Demo autopilot: moves new appeals along every N seconds (0 = off)
    autopilot_interval_s: float = 0.0

    # Forwarding appeals to the emergency services (SPEC 30-1). Empty URL (dev only; production
    # requires an https URL): this server's own simulator at PUBLIC_BASE_URL/sim/emergency.
    emergency_system_url: str = ""
    emergency_confirm_timeout_s: float = 60.0  # no confirmation by then: not_confirmed + alert
    emergency_retry_s: float = 15.0  # first retry delay; doubles per attempt (capped)
    emergency_worker_interval_s: float = 1.0  # the worker's tick (0 = off; tests drive it)
    emergency_confirm_delay_s: float = 2.0  # simulator: confirms this long after receipt
    emergency_sim_fail: bool = False  # simulator: receives incidents but never confirms

    @model_validator(mode="after")
    def _refuse_weak_or_missing(self) -> Settings:
        bad = settings_rules.problems(self)
        if bad:
            what = "production refuses default, weak or missing" if not self.is_dev else "invalid"
            raise ValueError(f"{what} settings: {'; '.join(bad)}")
        return self

    @property
    def is_dev(self) -> bool:
        return self.app_env == "dev"

    @property
    def allowed_host_list(self) -> list[str]:
        return settings_rules.split_list(self.allowed_hosts)

    @property
    def trusted_proxy_list(self) -> list[str]:
        return settings_rules.split_list(self.trusted_proxies)

    @cached_property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'city109.db').resolve()}"

    @property
    def media_dir(self) -> Path:
        return (self.media_root or self.data_dir) / "media"

    @property
    def uploads_dir(self) -> Path:
        return (self.media_root or self.data_dir) / "uploads"
