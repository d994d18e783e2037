"""Real-shaped files as phones, scanners and broken tools make them, each with the outcome Lexhub owes it.

Generated, not checked in: Pillow writes the JPEGs and PNGs (EXIF orientations, progressive, CMYK, with a
thumbnail), pillow-heif the HEICs, Pillow and the sandbox's writer the PDFs; the broken ones are made from
the good ones (cut, encrypted, padded, blown up)."""

import hashlib
import io
import random
import struct
import zlib
from dataclasses import dataclass, field
from functools import cache

import pillow_heif
from PIL import Image

from sandbox import documents

pillow_heif.register_heif_opener()
MIB = 1024 * 1024
MP4_TAIL = struct.pack(">I", 24) + b"ftypmp42" + b"\x00\x00\x00\x00mp42isom" + b"\x00\x00\x10\x00mdat" + b"\x00" * 4088


@dataclass(frozen=True)
class Case:
    name: str
    content: bytes
    status: int  # 201 sent, else the 4xx expected
    sent_type: str = ""
    changes: frozenset[str] = field(default_factory=frozenset)
    message: str = ""  # a fragment of the refusal
    unchanged: bool = False  # the exact bytes received are sent
    sent_prefix: bytes = b""  # what was sent is exactly this (a trimmed image)
    upright: tuple[int, int] | None = None  # (width, height) of the sent image, when rotated


def photo(width: int, height: int, *, seed: int, mode: str = "RGB") -> Image.Image:
    """A photo-like picture: a smooth scene with sensor noise, and a dark mark in the top-left corner."""
    rng = random.Random(seed)
    small = Image.frombytes(
        "RGB", (max(1, width // 4), max(1, height // 4)), rng.randbytes(3 * max(1, width // 4) * max(1, height // 4))
    )
    scene = small.resize((width, height), Image.Resampling.BILINEAR)
    noise = Image.frombytes("RGB", (width, height), rng.randbytes(3 * width * height))
    image = Image.blend(scene, noise, 0.35)
    image.paste((0, 0, 0), (0, 0, max(1, width // 5), max(1, height // 5)))
    return image.convert(mode) if mode != "RGB" else image


def jpeg(image: Image.Image, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", **{"quality": 90, **options})
    return out.getvalue()


def png(image: Image.Image, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", **options)
    return out.getvalue()


def heic(image: Image.Image, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, "HEIF", **{"quality": 80, "enc_params": {"preset": "ultrafast"}, **options})
    return out.getvalue()


def with_orientation(image: Image.Image, orientation: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    return jpeg(image, exif=exif.tobytes())


def with_thumbnail(image: Image.Image) -> bytes:
    """A JPEG whose EXIF carries its own small JPEG (with its own end marker) before the real image."""
    thumb = jpeg(image.resize((40, 30)))
    exif = Image.Exif()
    exif[0x0112] = 1
    raw = exif.tobytes()
    # an IFD1 with JPEGInterchangeFormat would be exact; a thumbnail's bytes inside APP1 are what matters here
    return jpeg(image, exif=raw + thumb)


def pdf_pages(count: int, *, seed: int) -> bytes:
    """A scan: one photographed page per PDF page, as scanner apps write them."""
    pages = [photo(620, 877, seed=seed + index, mode="L") for index in range(count)]
    out = io.BytesIO()
    pages[0].save(out, "PDF", save_all=True, append_images=pages[1:], resolution=75)
    return out.getvalue()


def pdf_with_encryption(content: bytes, *, user_password_matches: bool) -> bytes:
    """Standard security handler, revision 2. With an empty user password that matches, readers open it
    without asking (only the owner is protected); otherwise they ask for a password."""
    document_id = bytes(range(16))
    owner = hashlib.md5(b"owner").digest() * 2
    permissions = -4
    if user_password_matches:
        padding = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")
        key = hashlib.md5(padding + owner + struct.pack("<i", permissions) + document_id).digest()[:5]
        user = rc4(key, padding)
    else:
        user = b"\x42" * 32
    encrypt = (
        b"/Encrypt << /Filter /Standard /V 1 /R 2 /O <"
        + owner.hex().encode()
        + b"> /U <"
        + user.hex().encode()
        + b"> /P %d >> /ID [<%s> <%s>]" % (permissions, document_id.hex().encode(), document_id.hex().encode())
    )
    return content.replace(b"/Root 1 0 R >>", b"/Root 1 0 R " + encrypt + b" >>")


def rc4(key: bytes, data: bytes) -> bytes:
    state = list(range(256))
    j = 0
    for i in range(256):
        j = (j + state[i] + key[i % len(key)]) % 256
        state[i], state[j] = state[j], state[i]
    i = j = 0
    out = bytearray()
    for byte in data:
        i = (i + 1) % 256
        j = (j + state[i]) % 256
        state[i], state[j] = state[j], state[i]
        out.append(byte ^ state[(state[i] + state[j]) % 256])
    return bytes(out)


def png_bomb(width: int, height: int) -> bytes:
    """A tiny file that declares an enormous picture (all one colour compresses to almost nothing)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    compressor = zlib.compressobj(9)
    row = b"\x00" + b"\x00" * width
    body = b"".join(compressor.compress(row) for _ in range(min(height, 2000))) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return documents.png(1, 1, 0)[:8] + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def jpeg_claiming(width: int, height: int) -> bytes:
    """A small JPEG whose frame header is rewritten to claim `width` x `height`."""
    data = bytearray(jpeg(photo(16, 16, seed=99)))
    at = data.find(b"\xff\xc0")
    data[at + 5 : at + 9] = struct.pack(">HH", height, width)
    return bytes(data)


@cache
def corpus() -> tuple[Case, ...]:
    cases: list[Case] = []
    small = photo(640, 480, seed=1)
    plain_jpeg, plain_png = jpeg(small), png(photo(320, 240, seed=2))
    sandbox_pdf = documents.pdf(["Tankstelle Musterstadt", "Summe 42,00 EUR"])
    cases += [
        Case("plain.jpg", plain_jpeg, 201, "image/jpeg", unchanged=True),
        Case("plain.png", plain_png, 201, "image/png", unchanged=True),
        Case("progressive.jpg", jpeg(photo(600, 400, seed=3), progressive=True), 201, "image/jpeg", unchanged=True),
        Case("grey.jpg", jpeg(photo(500, 700, seed=4, mode="L")), 201, "image/jpeg", unchanged=True),
        Case("cmyk.jpg", jpeg(photo(300, 200, seed=5, mode="CMYK")), 201, "image/jpeg", unchanged=True),
        Case("palette.png", png(photo(300, 200, seed=6).convert("P")), 201, "image/png", unchanged=True),
        Case("alpha.png", png(photo(300, 200, seed=7).convert("RGBA")), 201, "image/png", unchanged=True),
        Case("upright.jpg", with_orientation(photo(400, 300, seed=8), 1), 201, "image/jpeg", unchanged=True),
        Case("thumbnail.jpg", with_thumbnail(photo(400, 300, seed=9)), 201, "image/jpeg", unchanged=True),
        Case("beleg.pdf", sandbox_pdf, 201, "application/pdf", unchanged=True),
        Case("scan-3-pages.pdf", pdf_pages(3, seed=10), 201, "application/pdf", unchanged=True),
        Case("scan-1-page.pdf", pdf_pages(1, seed=13), 201, "application/pdf", unchanged=True),
    ]
    for orientation in range(2, 9):  # every EXIF rotation and mirroring a camera writes
        image = photo(400, 300, seed=20 + orientation)
        upright = (300, 400) if orientation >= 5 else (400, 300)
        cases.append(
            Case(
                f"orientation-{orientation}.jpg",
                with_orientation(image, orientation),
                201,
                "image/jpeg",
                frozenset({"rotated"}),
                upright=upright,
            )
        )
    motion = jpeg(photo(1200, 900, seed=30))
    thumbed = with_thumbnail(photo(500, 400, seed=31))
    progressive = jpeg(photo(600, 450, seed=32), progressive=True)
    trimmed = frozenset({"trimmed"})
    cases += [
        Case("motion-photo.jpg", motion + MP4_TAIL, 201, "image/jpeg", trimmed, sent_prefix=motion),
        Case(
            "vendor-trailer.jpg",
            plain_jpeg[:-1] + b"\xd9" + b"HUAWEI_TRAILER\x00" * 20,
            201,
            "image/jpeg",
            trimmed,
            sent_prefix=plain_jpeg,
        ),
        Case("zero-padded.jpg", thumbed + b"\x00" * 4096, 201, "image/jpeg", trimmed, sent_prefix=thumbed),
        Case("progressive-trailer.jpg", progressive + MP4_TAIL, 201, "image/jpeg", trimmed, sent_prefix=progressive),
        Case("trailer.png", plain_png + b"garbage after IEND" * 50, 201, "image/png", trimmed, sent_prefix=plain_png),
        Case(
            "rotated-motion.jpg",
            with_orientation(photo(400, 300, seed=33), 6) + MP4_TAIL,
            201,
            "image/jpeg",
            frozenset({"trimmed", "rotated"}),
            upright=(300, 400),
        ),
    ]
    big = photo(4032, 3024, seed=40)
    nine_mib = jpeg(big, quality=93)
    assert 8.5 * MIB < len(nine_mib) < 10 * MIB, len(nine_mib)
    cases += [
        Case("iphone.heic", heic(photo(400, 300, seed=41)), 201, "image/jpeg", frozenset({"converted"})),
        Case(
            "iphone-grey.heif",
            heic(photo(240, 320, seed=42, mode="L").convert("RGB")),
            201,
            "image/jpeg",
            frozenset({"converted"}),
        ),
        Case(
            "iphone-alpha.heic",
            heic(photo(200, 200, seed=43).convert("RGBA")),
            201,
            "image/jpeg",
            frozenset({"converted"}),
        ),
        Case("photo-9mib.jpg", nine_mib, 201, "image/jpeg", frozenset({"reduced"})),
        Case("motion-9mib.jpg", jpeg(photo(2000, 1500, seed=44)) + b"\x00" * (8 * MIB), 201, "image/jpeg", trimmed),
        Case("screenshot-7mib.png", png(photo(1800, 1400, seed=45)), 201, "image/jpeg", frozenset({"reduced"})),
    ]
    pdf = sandbox_pdf
    cases += [
        Case("encrypted.pdf", pdf_with_encryption(pdf, user_password_matches=False), 400, message="encrypted"),
        Case("owner-protected.pdf", pdf_with_encryption(pdf, user_password_matches=True), 400, message="encrypted"),
        Case("corrupt.pdf", b"%PDF-1.7\n" + random.Random(50).randbytes(4000) + b"\n%%EOF\n", 400, message="damaged"),
        Case("truncated.pdf", pdf[: len(pdf) // 2], 400, message="truncated"),
        Case("truncated-scan.pdf", pdf_pages(2, seed=51)[:-300], 400, message="truncated"),
        Case("big-scan.pdf", b"%PDF-1.4\n%" + b"0" * (6 * MIB) + b"\n" + pdf[9:], 413, message="larger than 5 MB"),
        Case("bomb.png", png_bomb(30000, 30000), 413, message="megapixels"),
        Case("bomb.jpg", jpeg_claiming(60000, 60000), 413, message="megapixels"),
        Case("truncated.jpg", motion[: len(motion) * 2 // 3], 400, message="truncated"),
        Case("truncated-motion.jpg", motion[:-2] + MP4_TAIL, 400, message="truncated"),
        Case("truncated.png", plain_png[: len(plain_png) // 2], 400, message="truncated"),
        Case("truncated.heic", heic(photo(320, 240, seed=52))[:-400], 400),
        Case("corrupt.jpg", plain_jpeg[:600] + random.Random(53).randbytes(5000) + b"\xff\xd9", 400),
        Case("corrupt.png", plain_png[:60] + random.Random(54).randbytes(500) + plain_png[-12:], 400),
        Case("animation.gif", b"GIF89a" + b"\x00" * 40, 415, message="HEIC"),
        Case("photo.webp", png(small)[:0] + b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 40, 415),
        Case("empty.jpg", b"", 400, message="empty"),
        Case("huge.pdf", b"%PDF-1.4\n" + b"0" * (21 * MIB), 413, message="20 MB"),
    ]
    return tuple(cases)
