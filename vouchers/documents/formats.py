"""What a file's bytes are, by content, and where an image's own data ends (phone photos often carry more:
a motion photo is a JPEG followed by an MP4; some vendors append trailers)."""

PDF, PNG, JPEG, HEIF = "application/pdf", "image/png", "image/jpeg", "image/heif"
EXTENSIONS = {PDF: "pdf", PNG: "png", JPEG: "jpg"}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# ISO base media "ftyp" brands of HEIF still images (iPhones write heic; mif1/msf1 are the generic ones)
HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1", b"msf1"}


def sniff(head: bytes) -> str | None:
    """PDF, PNG, JPEG or HEIF by the first 16 bytes; None for anything else."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(PNG_SIGNATURE):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS:
        return HEIF
    return None


def png_end(data: bytes) -> int | None:
    """Offset just past the IEND chunk, or None if the chunks run out first (a truncated file)."""
    at = len(PNG_SIGNATURE)
    while at + 8 <= len(data):
        length = int.from_bytes(data[at : at + 4], "big")
        kind = data[at + 4 : at + 8]
        at += 12 + length  # length, type, data, CRC
        if at > len(data):
            return None
        if kind == b"IEND":
            return at
    return None


def jpeg_end(data: bytes) -> int | None:
    """Offset just past the EOI marker that ends the first image, or None if it is never reached.

    Walks the marker segments by their lengths (so an EXIF thumbnail's own EOI is skipped) and scans
    entropy-coded data after each start of scan for the next real marker."""
    if not data.startswith(b"\xff\xd8"):
        return None
    at, size = 2, len(data)
    while at < size:
        if data[at] != 0xFF:
            return None
        while at < size and data[at] == 0xFF:  # fill bytes
            at += 1
        if at >= size:
            return None
        marker = data[at]
        at += 1
        if marker == 0xD9:
            return at
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:  # markers without a length
            continue
        if at + 2 > size:
            return None
        length = int.from_bytes(data[at : at + 2], "big")
        if length < 2:
            return None
        at += length
        if marker == 0xDA:
            found = _after_scan(data, at)
            if found is None:
                return None
            at = found
    return None


def _after_scan(data: bytes, at: int) -> int | None:
    """Where the marker after entropy-coded data starts (FF00 is a stuffed byte, FFD0-FFD7 restarts)."""
    while True:
        at = data.find(b"\xff", at)
        if at < 0 or at + 1 >= len(data):
            return None
        following = data[at + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7:
            at += 2
        elif following == 0xFF:
            at += 1
        else:
            return at
