"""Small readers for rendered pages (no HTML parser dependency): field blocks, labels, errors."""

import re

FIELD_BLOCK = re.compile(r'<div class="field[^"]*">(.*?)</div>', re.S)
LABEL = re.compile(r'<label for="([^"]+)">([^<]+)</label>')


def labels(html: str) -> dict[str, str]:
    """Visible label text -> the id it points at."""
    return {text.strip(): target for target, text in LABEL.findall(html)}


def field_block(html: str, name: str) -> str:
    for block in FIELD_BLOCK.findall(html):
        if f'name="{name}"' in block:
            return block
    raise AssertionError(f"no field block for {name!r}")


def field_errors(html: str, name: str) -> list[str]:
    block = field_block(html, name)
    found = re.search(r'<ul class="errorlist"[^>]*>(.*?)</ul>', block, re.S)
    return [item.strip() for item in re.findall(r"<li>(.*?)</li>", found.group(1), re.S)] if found else []


def fields_with_errors(html: str) -> set[str]:
    return {
        re.search(r'name="([^"]+)"', block).group(1)
        for block in FIELD_BLOCK.findall(html)
        if 'class="errorlist"' in block and 'name="' in block
    }
