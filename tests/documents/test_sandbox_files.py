"""The sandbox judges images as a decoder does: data after the image's end is accepted, a cut file is not."""

import pytest

from tests.documents.corpus import MP4_TAIL, jpeg, photo, png


def post_file(sandbox, name: str, content: bytes, content_type: str) -> int:
    response = sandbox.api("POST", "/v1/files", files={"file": (name, content, content_type)}, data={"type": "voucher"})
    return response.status_code


@pytest.mark.parametrize(
    ("name", "content_type", "make", "status"),
    [
        ("motion.jpg", "image/jpeg", lambda: jpeg(photo(200, 150, seed=1)) + MP4_TAIL, 202),
        ("trailer.png", "image/png", lambda: png(photo(100, 80, seed=2)) + b"trailer" * 30, 202),
        ("cut.jpg", "image/jpeg", lambda: jpeg(photo(200, 150, seed=3))[:-500], 406),
        ("cut-motion.jpg", "image/jpeg", lambda: jpeg(photo(200, 150, seed=4))[:-2] + MP4_TAIL, 406),
        ("cut.png", "image/png", lambda: png(photo(100, 80, seed=5))[:-30], 406),
    ],
)
def test_the_sandbox_accepts_what_a_decoder_accepts(sandbox, name, content_type, make, status) -> None:
    assert post_file(sandbox, name, make(), content_type) == status
