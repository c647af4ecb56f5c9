"""Typed settings read from the environment.

Production refuses to start with a placeholder or short SECRET_KEY; development and tests
get safe defaults so that `make run` works on a fresh machine with no configuration.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.indicators import Tolerances
from domain.kinds import LANGUAGES

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "data" / "pulse.db"
PLACEHOLDER_SECRETS = frozenset({"", "changeme", "change-me", "secret", "dev", "development", "please-change"})
MIN_SECRET_LENGTH = 32
SECRET_FILE = PROJECT_ROOT / "data" / "secret-key.txt"


class SettingsError(RuntimeError):
    """Raised when the configuration is unsafe or inconsistent."""


@dataclass(frozen=True)
class Settings:
    """Everything the app needs to know about its environment."""

    env: str = "development"  # development | production | test
    database_url: str = f"sqlite:///{DEFAULT_SQLITE_PATH}"
    secret_key: str = ""
    redis_url: str | None = None
    default_language: str = "vi"
    languages: tuple[str, ...] = tuple(language.value for language in LANGUAGES)
    timezone: str = "Asia/Ho_Chi_Minh"  # times are stored in UTC and shown in this zone
    session_idle_minutes: int = 30
    session_absolute_hours: int = 8
    login_max_failures: int = 5
    login_window_seconds: int = 300
    refresh_interval_ms: int = 3000
    progress_cap: float = 1.2
    on_track_tolerance: float = 0.05
    at_risk_tolerance: float = 0.20
    secure_cookies: bool = False
    sql_echo: bool = False
    # Evidence files (photos, scans) live outside the web root; the folder store is the default.
    evidence_dir: str = str(PROJECT_ROOT / "data" / "evidence")
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def tolerances(self) -> Tolerances:
        """How indicator status is judged: the on-track and at-risk margins and the progress cap."""
        return Tolerances(on_track=self.on_track_tolerance, at_risk=self.at_risk_tolerance, cap=self.progress_cap)

    def with_overrides(self, **changes: object) -> Settings:
        """Return a copy with some fields changed (used by tests)."""
        return replace(self, **changes)  # type: ignore[arg-type]

    def validate(self) -> Settings:
        """Fail closed on unsafe production settings; return self for chaining."""
        weak_secret = self.secret_key.strip().lower() in PLACEHOLDER_SECRETS or len(self.secret_key) < MIN_SECRET_LENGTH
        if self.is_production and weak_secret:
            raise SettingsError(
                f"SECRET_KEY must be a random string of at least {MIN_SECRET_LENGTH} characters in production."
            )
        if self.default_language not in self.languages:
            raise SettingsError(f"DEFAULT_LANGUAGE must be one of {', '.join(self.languages)}.")
        if not 0 <= self.on_track_tolerance <= self.at_risk_tolerance <= 1:
            raise SettingsError("ON_TRACK_TOLERANCE and AT_RISK_TOLERANCE must satisfy 0 <= on track <= at risk <= 1.")
        if self.progress_cap < 1:
            raise SettingsError(
                "PROGRESS_CAP must be at least 1 (1.2 lets progress beyond the target count up to 120%)."
            )
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise SettingsError(
                f"TIMEZONE {self.timezone!r} is not a known time zone (e.g. Asia/Ho_Chi_Minh)."
            ) from None
        return self


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _float(env: dict[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number (e.g. {default}), not {raw!r}.") from None


def _development_secret() -> str:
    """A per-checkout random key kept under data/, so sessions survive restarts in development."""
    if SECRET_FILE.exists():
        return SECRET_FILE.read_text().strip()
    SECRET_FILE.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    SECRET_FILE.write_text(key)
    SECRET_FILE.chmod(0o600)
    return key


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs written the common way."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Build settings from environment variables (PULSE_ENV, DATABASE_URL, SECRET_KEY, ...)."""
    env = dict(os.environ if environ is None else environ)
    mode = env.get("PULSE_ENV", "development")
    secret = env.get("SECRET_KEY", "")
    if not secret and mode != "production":
        secret = _development_secret()
    settings = Settings(
        env=mode,
        database_url=normalise_database_url(env.get("DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE_PATH}"),
        secret_key=secret,
        redis_url=env.get("REDIS_URL") or None,
        default_language=env.get("DEFAULT_LANGUAGE", "vi"),
        timezone=env.get("TIMEZONE", "Asia/Ho_Chi_Minh"),
        session_idle_minutes=int(env.get("SESSION_IDLE_MINUTES", "30")),
        session_absolute_hours=int(env.get("SESSION_ABSOLUTE_HOURS", "8")),
        refresh_interval_ms=int(env.get("REFRESH_INTERVAL_MS", "3000")),
        progress_cap=_float(env, "PROGRESS_CAP", Settings.progress_cap),
        on_track_tolerance=_float(env, "ON_TRACK_TOLERANCE", Settings.on_track_tolerance),
        at_risk_tolerance=_float(env, "AT_RISK_TOLERANCE", Settings.at_risk_tolerance),
        secure_cookies=_bool(env.get("SECURE_COOKIES"), default=mode == "production"),
        sql_echo=_bool(env.get("SQL_ECHO")),
        evidence_dir=env.get("EVIDENCE_DIR") or str(PROJECT_ROOT / "data" / "evidence"),
    )
    return settings.validate()
