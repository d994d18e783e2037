"""Verify X-Lxo-Signature: base64 RSA PKCS#1 v1.5 SHA-512 over the exact body bytes."""

import base64
import binascii
import logging
import time
from functools import cache
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.conf import settings

log = logging.getLogger(__name__)


@cache
def _load_keys(paths: tuple[str, ...], mtimes: tuple[float, ...]) -> tuple[rsa.RSAPublicKey, ...]:
    keys = []
    for path in paths:
        key = serialization.load_pem_public_key(Path(path).read_bytes())
        if not isinstance(key, rsa.RSAPublicKey):
            raise ValueError(f"{path} is not an RSA public key")
        keys.append(key)
    return tuple(keys)


RECHECK_SECONDS = 5.0  # how often a loaded key file is checked for a change (not on every delivery)
_loaded: dict[tuple[str, ...], tuple[float, tuple[rsa.RSAPublicKey, ...]]] = {}


def public_keys(*, report: bool = True) -> tuple[rsa.RSAPublicKey, ...]:
    """The configured Lexoffice public keys; several allow rotation. Re-read within seconds of a file change;
    a missing or unreadable file is looked for again on every delivery until it loads (and logged as an error
    when `report`: the system check words the same news as a warning)."""
    paths = tuple(settings.LEXOFFICE_WEBHOOK_PUBLIC_KEYS)
    now = time.monotonic()
    checked = _loaded.get(paths)
    if checked is not None and now - checked[0] < RECHECK_SECONDS:
        return checked[1]
    keys = _read_keys(paths, report=report)
    if keys:
        _loaded[paths] = (now, keys)
    else:
        _loaded.pop(paths, None)
    return keys


def _read_keys(configured: tuple[str, ...], *, report: bool) -> tuple[rsa.RSAPublicKey, ...]:
    paths = tuple(str(Path(p)) for p in configured)
    mtimes = []
    for path in paths:
        try:
            mtimes.append(Path(path).stat().st_mtime)
        except OSError:
            if report:
                log.error("webhook public key file %s is missing", path)
            return ()
    try:
        return _load_keys(paths, tuple(mtimes))
    except (OSError, ValueError) as exc:
        if report:
            log.error("webhook public keys could not be loaded: %s", exc)
        return ()


def verify(body: bytes, signature_header: str) -> bool:
    """True when any configured key verifies the signature over these exact bytes."""
    try:
        signature = base64.b64decode(signature_header.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False
    if not signature:
        return False
    for key in public_keys():
        try:
            key.verify(signature, body, padding.PKCS1v15(), hashes.SHA512())
            return True
        except InvalidSignature:
            continue
    return False
