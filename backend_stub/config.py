"""Settings of the backend, read from the environment (and `.env`) by pydantic-settings."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "dev-insecure-secret-change-me"
DEV_OPEN311_KEY = "dev-open311-key"
DEV_OPERATOR_PASSWORD = "operator"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    app_env: Literal["dev", "production"] = "dev"
    secret_key: str = DEV_SECRET
    data_dir: Path = Path("./data")
    # Empty: a SQLite file `city109.db` in data_dir. Any SQLAlchemy URL works, e.g.
    # postgresql+psycopg://user:pass@localhost/city109
    database_url: str = ""
    demo: bool = False

    # Tokens
    access_token_ttl_s: int = 15 * 60
    refresh_token_ttl_s: int = 30 * 24 * 3600

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

    # Media
    max_image_bytes: int = 15 * 1024 * 1024
    max_video_bytes: int = 100 * 1024 * 1024
    max_image_pixels: int = 40_000_000
    stored_image_max_side: int = 2560
    media_link_ttl_s: int = 3600  # a signed media link (video players send no token)

    # Open311 GeoReport v2
    open311_api_key: str = DEV_OPEN311_KEY

    # Operator web console (dev default password; production must set one)
    operator_password: str = DEV_OPERATOR_PASSWORD
    operator_phone: str = "+77000000109"

    # Demo autopilot: moves new appeals along every N seconds (0 = off)
    autopilot_interval_s: float = 0.0

    # Forwarding appeals to the emergency services (SPEC 30-1). Empty URL: this server's own
    # simulator (/sim/emergency, dev only), derived from the URL the resident's app called.
    emergency_system_url: str = ""
    emergency_confirm_timeout_s: float = 60.0  # no confirmation by then: not_confirmed + alert
    emergency_retry_s: float = 15.0  # first retry delay; doubles per attempt (capped)
    emergency_worker_interval_s: float = 1.0  # the worker's tick (0 = off; tests drive it)
    emergency_confirm_delay_s: float = 2.0  # simulator: confirms this long after receipt
    emergency_sim_fail: bool = False  # simulator: receives incidents but never confirms

    @model_validator(mode="after")
    def _production_needs_real_secrets(self) -> Settings:
        if self.app_env == "production":
            weak = {
                "SECRET_KEY": self.secret_key == DEV_SECRET or len(self.secret_key) < 32,
                "OPEN311_API_KEY": self.open311_api_key == DEV_OPEN311_KEY,
                "OPERATOR_PASSWORD": self.operator_password == DEV_OPERATOR_PASSWORD,
                "SMS_PROVIDER": self.sms_provider == "console",
            }
            bad = [name for name, is_weak in weak.items() if is_weak]
            if bad:
                raise ValueError(f"production refuses default or weak settings: {', '.join(bad)}")
        return self

    @property
    def is_dev(self) -> bool:
        return self.app_env == "dev"

    @cached_property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'city109.db').resolve()}"

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / "uploads"
