import base64
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

PAYLOADS = Path(__file__).parent / "payloads"


class Signer:
    """Signs bodies like Lexoffice does (RSA PKCS#1 v1.5, SHA-512, base64) with a test key."""

    def __init__(self, key: rsa.RSAPrivateKey, public_pem: Path) -> None:
        self.key, self.public_pem = key, public_pem

    def sign(self, body: bytes) -> str:
        return base64.b64encode(self.key.sign(body, padding.PKCS1v15(), hashes.SHA512())).decode()


@pytest.fixture(scope="session")
def webhook_signer(tmp_path_factory) -> Signer:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = tmp_path_factory.mktemp("webhook-key") / "public_key.pem"
    pem.write_bytes(
        key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    return Signer(key, pem)


@pytest.fixture
def trusted_signer(webhook_signer: Signer, settings) -> Signer:
    settings.LEXOFFICE_WEBHOOK_PUBLIC_KEYS = [str(webhook_signer.public_pem)]
    return webhook_signer


def payload(name: str, **changes: str) -> bytes:
    data = json.loads((PAYLOADS / f"{name}.json").read_text())
    return json.dumps({**data, **changes}, separators=(",", ":")).encode()
