"""Times as Lexoffice writes them: Europe/Berlin offset, exactly three millisecond digits."""

import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")
STRICT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}(Z|[+-]\d{2}:\d{2})$")
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def fmt(moment: datetime) -> str:
    local = moment.astimezone(BERLIN)
    offset = local.strftime("%z")
    return local.strftime("%Y-%m-%dT%H:%M:%S.") + f"{local.microsecond // 1000:03d}" + f"{offset[:3]}:{offset[3:]}"


def now_text() -> str:
    return fmt(datetime.now(UTC))


def day_text(day: date) -> str:
    """A date-only value as Lexoffice returns it: midnight Berlin time."""
    return fmt(datetime.combine(day, time(0), tzinfo=BERLIN))


def parse_strict(value: object) -> datetime | None:
    """Lexoffice's one accepted datetime pattern (yyyy-MM-ddTHH:mm:ss.SSSXXX); None for anything else."""
    if not isinstance(value, str) or not STRICT.match(value):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:  # right shape, impossible value (month 13, hour 25)
        return None


def parse_day(value: object) -> date | None:
    if not isinstance(value, str) or not DAY.match(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def parse_any(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
