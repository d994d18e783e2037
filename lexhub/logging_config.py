"""The LOGGING setting: one console handler whose filter masks API keys and tokens (lexhub/reporting.py)."""


def logging_config(level: str) -> dict:
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
        "filters": {"secrets": {"()": "lexhub.reporting.ScrubSecrets"}},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["secrets"]}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "INFO"},
            "axes": {"level": "WARNING"},  # failures and lockouts; not a line for every attempt
        },
    }
