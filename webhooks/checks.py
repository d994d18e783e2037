from django.conf import settings
from django.core.checks import Error, Warning, register

from webhooks.signature import public_keys


@register()
def webhook_public_keys(app_configs, **kwargs) -> list:
    if not settings.LEXOFFICE_WEBHOOK_PUBLIC_KEYS:
        return [Warning(
            "LEXOFFICE_WEBHOOK_PUBLIC_KEYS is not set: every webhook delivery will be refused.",
            hint="Point it at Lexoffice's public key PEM file (see README, Webhooks).", id="lexhub.W001",
        )]
    if not public_keys():
        return [Error(
            "LEXOFFICE_WEBHOOK_PUBLIC_KEYS names files that cannot be read as RSA public keys.",
            id="lexhub.E001",
        )]
    return []
