"""Real, small files of each accepted type (and broken ones) for upload tests."""

import io

from PIL import Image

from sandbox import documents


def pdf(text: str = "Beleg") -> bytes:
    return documents.pdf([text])


def png(width: int = 2, height: int = 2, seed: int = 0) -> bytes:
    return documents.png(width, height, seed)


def jpeg(width: int = 8, height: int = 8, seed: int = 0) -> bytes:
    """A real baseline JPEG (Lexhub decodes images to check them)."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), (seed % 256, 120, 200)).save(out, "JPEG", quality=90)
    return out.getvalue()
