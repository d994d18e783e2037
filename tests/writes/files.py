"""Real, small files of each accepted type (and broken ones) for upload tests."""

from sandbox import documents


def pdf(text: str = "Beleg") -> bytes:
    return documents.pdf([text])


def png(width: int = 2, height: int = 2, seed: int = 0) -> bytes:
    return documents.png(width, height, seed)


def jpeg() -> bytes:
    return b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
