"""Typed readers of environment variables for lexhub/settings.py: a bad value stops start-up with
ImproperlyConfigured, naming the variable, instead of surfacing later as odd behaviour."""

import os
import secrets
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_url(name: str, default: str) -> str:
    value = env_str(name, default)
    if value and not urlsplit(value).scheme:
        raise ImproperlyConfigured(f"{name} must be a URL with a scheme, got {value!r}")
    return value


def env_secret(name: str, path: Path, make: Callable[[], str]) -> str:
    """A secret from the environment, else one generated once into var/ (never committed)."""
    value = env_str(name)
    if value:
        return value
    if path.exists():
        return path.read_text().strip()
    # Several processes may start at once on a fresh var/: write aside, then link into place, so nobody
    # reads a half-written file and every process ends up with the one value that won.
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(make())
    try:
        os.link(draft, path)
    except FileExistsError:
        pass
    finally:
        draft.unlink()
    return path.read_text().strip()


def email_settings(url: str) -> dict[str, object]:
    """EMAIL_URL as Django's EMAIL_* settings: smtp:// (plain; ?tls=true for STARTTLS), smtp+tls:// or
    submission:// (STARTTLS, port 587), smtps:// or smtp+ssl:// (TLS from the start, port 465)."""
    parts = urlsplit(url)
    schemes = {
        "smtp": (25, False, False),
        "smtp+tls": (587, True, False),
        "submission": (587, True, False),
        "smtps": (465, False, True),
        "smtp+ssl": (465, False, True),
    }
    if parts.scheme not in schemes or not parts.hostname:  # not echoed: the URL may hold a password
        raise ImproperlyConfigured(
            f"EMAIL_URL must look like smtp://user:password@host:587 (scheme one of "
            f"{', '.join(schemes)}, and a host), got scheme {parts.scheme!r}"
        )
    port, use_tls, use_ssl = schemes[parts.scheme]
    query = {key: values[-1].lower() for key, values in parse_qs(parts.query).items()}
    use_tls = use_tls or query.get("tls") in {"1", "true", "yes", "on"}
    use_ssl = use_ssl or query.get("ssl") in {"1", "true", "yes", "on"}
    if use_tls and use_ssl:
        raise ImproperlyConfigured("EMAIL_URL cannot ask for both STARTTLS (tls) and implicit TLS (ssl)")
    try:
        port = parts.port or port
    except ValueError:
        raise ImproperlyConfigured("EMAIL_URL has an invalid port") from None
    return {
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": use_tls,
        "EMAIL_USE_SSL": use_ssl,
    }


S3_EXTRA = "requirements-s3.txt"


def media_storage() -> dict:
    """STORAGES["default"]: S3-compatible object storage when LEXHUB_S3_BUCKET names a bucket (media shared by
    several machines), else DEFAULT_FILE_STORAGE (the filesystem under MEDIA_ROOT by default).

    LEXHUB_S3_ENDPOINT_URL (MinIO, Ceph, a provider's S3 API; AWS when empty), LEXHUB_S3_REGION and
    LEXHUB_S3_PREFIX go into the options; the keys are read by boto3 from AWS_ACCESS_KEY_ID and
    AWS_SECRET_ACCESS_KEY, so they never sit in the settings (nor in a debug page)."""
    bucket = env_str("LEXHUB_S3_BUCKET")
    if not bucket:
        return {"BACKEND": env_str("DEFAULT_FILE_STORAGE", "django.core.files.storage.FileSystemStorage")}
    try:
        import storages  # noqa: F401
    except ImportError:
        raise ImproperlyConfigured(
            f"LEXHUB_S3_BUCKET is set but django-storages is not installed: pip install -r {S3_EXTRA}"
        ) from None
    options = {
        "bucket_name": bucket,
        "endpoint_url": env_str("LEXHUB_S3_ENDPOINT_URL") or None,
        "region_name": env_str("LEXHUB_S3_REGION") or None,
        "location": env_str("LEXHUB_S3_PREFIX", "media").strip("/"),
        "default_acl": None,  # the bucket's own: private; files are served through Lexhub's views only
        "file_overwrite": False,  # as on the filesystem: a name in use gets a suffix, nothing is replaced
        "querystring_auth": True,
        # A download is spooled to a temporary file past 1 MiB, not held whole in a worker's memory.
        "max_memory_size": 1024 * 1024,
    }
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}
