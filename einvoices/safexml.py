"""Hardened XML parsing for files from strangers: no DTD, no entities, no network, bounded size and depth.

lxml's parser is set so nothing is ever fetched or expanded; on top of that any document type declaration is
refused outright, since no e-invoice syntax needs one and every entity trick (XXE, billion laughs) starts there.
"""

from lxml import etree

MAX_XML_BYTES = 5 * 1024 * 1024  # Lexoffice's upload limit; a larger invoice could not be booked anyway
MAX_DEPTH = 64  # UBL and CII nest about 10 deep


class UnsafeXml(Exception):
    """The bytes are not XML we are willing to read; `reason` says why in words, `code` for tests and logs."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_xml(content: bytes) -> etree._Element:
    """The root element of `content`, or UnsafeXml("too_large" | "doctype" | "malformed" | "too_deep")."""
    if len(content) > MAX_XML_BYTES:
        raise UnsafeXml("too_large")
    if b"<!DOCTYPE" in content or b"<!ENTITY" in content or _utf16_doctype(content):
        raise UnsafeXml("doctype")
    try:
        root = etree.fromstring(content, parser=_parser())
    except (etree.XMLSyntaxError, ValueError):
        raise UnsafeXml("malformed") from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise UnsafeXml("doctype")  # a declaration in an encoding the byte check above cannot see
    if _depth(root) > MAX_DEPTH:
        raise UnsafeXml("too_deep")
    return root


def _utf16_doctype(content: bytes) -> bool:
    if content[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "<!DOCTYPE" in content.decode("utf-16", errors="ignore")
    return False


# True when some element sits deeper than MAX_DEPTH: one XPath walk in C instead of a Python loop over the tree
_TOO_DEEP = etree.XPath("boolean(/" + "*/" * MAX_DEPTH + "*)")


def _depth(root: etree._Element) -> int:
    return MAX_DEPTH + 1 if _TOO_DEEP(root) else 0
