"""From bytes to a read e-invoice: recognise the container (XML or PDF/A-3 with its attachment), parse safely,
normalise, validate. A file that is no e-invoice at all gives None; one that claims to be and cannot be read
safely raises Refused."""

import io
import logging
from dataclasses import dataclass

from lxml import etree
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from einvoices.cii import parse_cii
from einvoices.document import EInvoice, Finding
from einvoices.safexml import UnsafeXml, parse_xml
from einvoices.schema import profile_of, schema_findings
from einvoices.ubl import parse_ubl
from einvoices.validate import validate

log = logging.getLogger(__name__)

UBL_INVOICE = "{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice"
UBL_CREDIT_NOTE = "{urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2}CreditNote"
CII = "{urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100}CrossIndustryInvoice"
# Names the ZUGFeRD 2.x / Factur-X / XRechnung-in-PDF specifications give the embedded invoice
ATTACHMENT_NAMES = ("factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml")
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024


class Refused(Exception):
    """The file presents itself as an e-invoice but cannot be read safely or at all. `code` names the reason."""

    MESSAGES = {
        "doctype": (
            "Die XML-Datei enthält eine DTD oder Entitäten; aus Sicherheitsgründen wird sie nicht gelesen.",
            "The XML contains a DTD or entity declarations; for safety it is not read.",
        ),
        "malformed": ("Die XML-Datei ist beschädigt oder unvollständig.", "The XML is damaged or incomplete."),
        "too_large": ("Die XML-Datei ist größer als 5 MB.", "The XML is larger than 5 MB."),
        "too_deep": ("Die XML-Datei ist zu tief verschachtelt.", "The XML is nested too deeply."),
        "not_einvoice": (
            "Die XML-Datei ist keine E-Rechnung (UBL-Rechnung, UBL-Gutschrift oder CII).",
            "The XML is not an e-invoice (UBL invoice, UBL credit note or CII).",
        ),
        "attachment_not_xml": (
            "Die im PDF eingebettete Rechnungsdatei ist keine lesbare E-Rechnung.",
            "The invoice file embedded in the PDF is not a readable e-invoice.",
        ),
    }

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code
        self.message_de, self.message_en = self.MESSAGES[code]


@dataclass
class Reading:
    container: str  # "xml" or "pdf"
    xml: bytes  # exactly as received (the file itself, or the PDF's attachment)
    xml_name: str
    profile: str
    invoice: EInvoice
    findings: list[Finding]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]


def looks_like_xml(content: bytes) -> bool:
    return content.lstrip(b"\xef\xbb\xbf\r\n\t ")[:1] == b"<" or content[:2] in (b"\xff\xfe", b"\xfe\xff")


def read_einvoice(content: bytes) -> Reading | None:
    if content.startswith(b"%PDF-"):
        found = embedded_xml(content)
        if found is None:
            return None
        name, xml = found
        try:
            return read_xml(xml, container="pdf", name=name)
        except Refused:
            raise Refused("attachment_not_xml") from None
    if looks_like_xml(content):
        return read_xml(content, container="xml", name="")
    return None


def read_xml(content: bytes, *, container: str, name: str) -> Reading:
    try:
        root = parse_xml(content)
    except UnsafeXml as exc:
        raise Refused(exc.code) from None
    if root.tag in (UBL_INVOICE, UBL_CREDIT_NOTE):
        invoice = parse_ubl(root)
    elif root.tag == CII:
        invoice = parse_cii(root)
    else:
        raise Refused("not_einvoice")
    profile = profile_of(invoice.specification)
    findings = schema_findings(root, syntax=invoice.syntax, profile=profile) + validate(invoice, profile=profile)
    return Reading(container, content, name, profile, invoice, findings)


def embedded_xml(content: bytes) -> tuple[str, bytes] | None:
    """(name, bytes) of the PDF's e-invoice attachment, None for a PDF without one (or one pypdf cannot open)."""
    try:
        # attachment_list reads an attachment's bytes only when asked: other attachments are never inflated
        for attachment in PdfReader(io.BytesIO(content)).attachment_list:
            if attachment.name.lower() in ATTACHMENT_NAMES:
                data = attachment.content
                if len(data) > MAX_ATTACHMENT_BYTES:
                    raise Refused("too_large")
                return attachment.name, data
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, etree.LxmlError) as exc:
        log.info("PDF not searched for an e-invoice (%s)", type(exc).__name__)
    return None
