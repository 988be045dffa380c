"""Settings of the order API, all from environment variables with documented defaults.

Tokens have no default: `serve` refuses to start without both (see ``Settings.require_tokens``).
"""
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MIN_TOKEN_LENGTH = 16
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class ConfigError(Exception):
    """A setting is missing or wrong; the message says which and what to do."""


def default_database_url(env: Mapping[str, str]) -> str:
    # Same run folder as the rest of the stack (CS_RUN_DIR moves it), ignored by git.
    run_dir = Path(env.get("CS_RUN_DIR") or PROJECT_ROOT / ".run").resolve()
    return f"sqlite+aiosqlite:///{run_dir / 'orders.sqlite3'}"


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low} and {high}, not {value}")
    return value


@dataclass(frozen=True)
class Settings:
    database_url: str
    host: str = "127.0.0.1"
    port: int = 8081
    read_token: Optional[str] = None
    admin_token: Optional[str] = None
    max_body_bytes: int = 8192
    verify_max_failures: int = 5
    verify_window_seconds: int = 900
    log_level: str = "INFO"

    def __post_init__(self) -> None:
        if self.log_level not in LOG_LEVELS:
            raise ConfigError(f"ORDERS_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {self.log_level!r}")

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> "Settings":
        env = os.environ if env is None else env
        return cls(
            database_url=env.get("ORDERS_DATABASE_URL") or default_database_url(env),
            host=env.get("ORDERS_HOST") or "127.0.0.1",
            port=_int(env, "ORDERS_PORT", 8081, 1, 65535),
            read_token=env.get("ORDERS_READ_TOKEN") or None,
            admin_token=env.get("ORDERS_ADMIN_TOKEN") or None,
            max_body_bytes=_int(env, "ORDERS_MAX_BODY_BYTES", 8192, 1024, 1_048_576),
            verify_max_failures=_int(env, "ORDERS_VERIFY_MAX_FAILURES", 5, 1, 1000),
            verify_window_seconds=_int(env, "ORDERS_VERIFY_WINDOW_SECONDS", 900, 1, 86400),
            log_level=(env.get("ORDERS_LOG_LEVEL") or "INFO").upper(),
        )

    def require_tokens(self) -> None:
        missing = [
            name
            for name, value in (("ORDERS_READ_TOKEN", self.read_token), ("ORDERS_ADMIN_TOKEN", self.admin_token))
            if not value
        ]
        if missing:
            raise ConfigError(
                f"{' and '.join(missing)} must be set before the order API can start: "
                "ORDERS_READ_TOKEN is the service token of the action server, ORDERS_ADMIN_TOKEN the one of "
                "tests and data tools (the dev launcher generates both into .run/dev.env)."
            )
        for name, value in (("ORDERS_READ_TOKEN", self.read_token), ("ORDERS_ADMIN_TOKEN", self.admin_token)):
            if len(value) < MIN_TOKEN_LENGTH:
                raise ConfigError(f"{name} is too short: use at least {MIN_TOKEN_LENGTH} random characters.")
        if self.read_token == self.admin_token:
            raise ConfigError("ORDERS_READ_TOKEN and ORDERS_ADMIN_TOKEN must differ, or every caller would be admin.")
