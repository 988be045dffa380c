"""Time conventions: every timestamp is naive UTC to the second, on SQLite and PostgreSQL alike
(SQLite has no time zones, so storing naive UTC everywhere keeps both databases identical)."""
from datetime import datetime, timezone
from typing import Optional


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


def iso(value: Optional[datetime]) -> Optional[str]:
    """ISO 8601 with a Z, as the API shows times."""
    if value is None:
        return None
    return value.replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
