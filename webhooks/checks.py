from django.conf import settings
from django.core.checks import Warning, register

from webhooks.signature import public_keys


@register()
def webhook_public_keys(app_configs, **kwargs) -> list:
    if not settings.LEXOFFICE_WEBHOOK_PUBLIC_KEYS:
        return [
            Warning(
                "LEXOFFICE_WEBHOOK_PUBLIC_KEYS is not set: every webhook delivery will be refused.",
                hint="Point it at Lexoffice's public key PEM file (see README, Webhooks).",
                id="lexhub.W001",
            )
        ]
    if not public_keys(report=False):
        # A warning, not an error: the file may appear later (make run's sandbox writes it at start),
        # and until it does every delivery is refused.
        return [
            Warning(
                "LEXOFFICE_WEBHOOK_PUBLIC_KEYS names files that cannot be read as RSA public keys (yet): "
                "every webhook delivery will be refused until they can.",
                id="lexhub.W002",
            )
        ]
    return []
