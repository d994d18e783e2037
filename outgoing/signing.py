"""Standard Webhooks signing with the `standardwebhooks` library: secrets `whsec_<base64>`, headers
webhook-id, webhook-timestamp and webhook-signature (one `v1,<signature>` per valid secret)."""

import base64
import secrets
from datetime import UTC, datetime

from standardwebhooks.webhooks import Webhook


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def signed_headers(*, message_id: str, body: str, secrets_: list[str], now: datetime | None = None) -> dict[str, str]:
    when = now or datetime.now(tz=UTC)
    signatures = " ".join(Webhook(secret).sign(message_id, when, body) for secret in secrets_)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(when.timestamp())),
        "webhook-signature": signatures,
        "content-type": "application/json",
        "user-agent": "Lexhub-Webhooks/1",
    }
