"""E-invoices: read + check rate on one core (UBL, CII and ZUGFeRD PDFs, 20 lines each, as generated for the
tests), and the time to render the readable page of a 500-line invoice (re-reading its XML, as the view does)."""

import statistics
import time
from decimal import Decimal

from django.template.loader import render_to_string

from bench.rows import Row
from harness.einvoice_xml import cii, ubl
from harness.einvoices import LineSpec, Sample, zugferd_pdf

RATES = (Decimal("19"), Decimal("7"))


def sample(number: str, lines: int, **changes: object) -> Sample:
    specs = tuple(
        LineSpec(f"Artikel {i}", Decimal(1 + i % 5), Decimal(f"{3 + i % 40}.{i % 100:02d}"), rate=RATES[i % 2])
        for i in range(lines)
    )
    return Sample(number=number, lines=specs).with_(**changes)


def corpus() -> list[bytes]:
    files = []
    for i in range(10):
        files.append(ubl(sample(f"U-{i}", 20)))
        files.append(ubl(sample(f"G-{i}", 20, credit=True)))
        files.append(cii(sample(f"C-{i}", 20)))
    for i in range(3):
        files.append(zugferd_pdf(cii(sample(f"Z-{i}", 20, profile="en16931", buyer_reference=""))))
    return files


def read_rate(seconds: float) -> float:
    from einvoices.reading import read_einvoice

    files = corpus()
    for content in files:  # warm: schemas compiled once per process
        assert read_einvoice(content) is not None
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for content in files:
            read_einvoice(content)
        done += len(files)
    return done / (time.perf_counter() - started)


def render_ms(lines: int, repeats: int) -> float:
    from connections.models import Connection
    from einvoices.models import EInvoice
    from einvoices.reading import read_xml
    from einvoices.views import page_context

    xml = ubl(sample("RE-500", lines))
    row = EInvoice(pk=1, connection=Connection(name="Bench"), container="xml", xml_sha256="0" * 64, xml_size=len(xml))
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        reading = read_xml(xml, container="xml", name="")
        html = render_to_string("einvoices/detail.html", page_context(row, reading))
        timings.append((time.perf_counter() - started) * 1000)
        assert "Artikel 499" in html
    return statistics.median(timings)


def run(quick: bool) -> list[Row]:
    rate = read_rate(2.0 if quick else 10.0)
    page = render_ms(500, 3 if quick else 10)
    return [
        Row("einvoices: read + check, files/s on one core (20 lines)", 150, rate, "files/s", higher_is_better=True),
        Row("einvoices: readable page of a 500-line invoice", 500, page, "ms"),
    ]
