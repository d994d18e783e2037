"""The generated corpus: 40+ valid e-invoices read to the expected data without errors; 30+ broken ones give the
expected refusal or findings, and the hostile ones never reach the network (a listener counts connections)."""

import contextlib
import socket
import threading
import urllib.request
from collections.abc import Iterator
from decimal import Decimal

import pytest
from lxml import etree

from einvoices.reading import Refused, read_einvoice
from harness.einvoice_xml import cii
from harness.einvoices import Sample, pdf_with_attachment
from tests.einvoices.corpus import broken_cases, plain_files, valid_cases

VALID = valid_cases()


def test_the_corpus_is_as_large_as_promised() -> None:
    assert len(VALID) >= 40
    assert len(broken_cases("http://127.0.0.1:9")) >= 30
    assert {case.container for case in VALID} == {"ubl", "cii", "pdf"}


@pytest.mark.parametrize("case", VALID, ids=[case.name for case in VALID])
def test_a_valid_einvoice_reads_to_the_expected_data(case) -> None:
    sample = case.sample
    reading = read_einvoice(case.content())

    assert reading is not None
    assert [f for f in reading.findings if f.severity == "error"] == []
    invoice = reading.invoice
    assert reading.container == ("pdf" if case.container == "pdf" else "xml")
    assert invoice.syntax == ("ubl" if case.container == "ubl" else "cii")
    assert invoice.number == sample.number
    assert invoice.is_credit_note is sample.credit
    assert invoice.issue_date.isoformat() == sample.issue
    assert invoice.currency == sample.currency
    assert invoice.seller.name == sample.seller_name
    assert invoice.seller.vat_id == sample.seller_vat
    assert invoice.buyer.name == sample.buyer_name
    assert invoice.buyer_reference == sample.buyer_reference
    assert invoice.totals.net == sample.net
    assert invoice.totals.tax == sample.tax
    assert invoice.totals.gross == sample.gross
    assert invoice.totals.due == sample.due_amount
    if sample.profile == "minimum":
        assert invoice.lines == [] and invoice.taxes == []
        return
    assert invoice.due_date.isoformat() == sample.due
    assert invoice.payment.iban == sample.iban
    assert [(t.category, t.rate, t.taxable_amount, t.tax_amount) for t in invoice.taxes] == sample.breakdown()
    assert [(a.charge, a.amount, a.reason) for a in invoice.allowances_charges] == [
        (a.charge, a.amount, a.reason) for a in sample.adjustments
    ]
    if sample.profile == "basicwl":
        assert invoice.lines == []
        return
    assert [
        (line.name, line.quantity, line.unit, line.net_price, line.net_amount, line.tax_category, line.tax_rate)
        for line in invoice.lines
    ] == [
        (spec.name, spec.quantity, spec.unit, spec.price, spec.net, spec.category, spec.rate) for spec in sample.lines
    ]
    if sample.tax_currency and case.container != "pdf":
        assert invoice.tax_currency == sample.tax_currency
        assert invoice.totals.tax_in_accounting_currency == sample.tax_in_tax_currency


class Listener:
    """A TCP socket on a free loopback port that counts every connection made to it (any first byte but the
    sentinel's "S"). `settled()` sends the sentinel through the same accept queue, so once it is seen every
    earlier connection has been counted: no waiting on time."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.socket.settimeout(0.2)
        self.connections = 0
        self.sentinel = threading.Event()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def address(self) -> tuple[str, int]:
        return self.socket.getsockname()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.address[1]}"

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                client, _ = self.socket.accept()
            except TimeoutError:
                continue
            with client:
                client.settimeout(2)
                try:
                    first = client.recv(1)
                except OSError:
                    first = b""
            if first == b"S":
                self.sentinel.set()
            else:
                self.connections += 1

    def settled(self) -> int:
        self.sentinel.clear()
        with socket.create_connection(self.address) as probe:
            probe.sendall(b"S")
        assert self.sentinel.wait(10), "the listener stopped accepting"
        return self.connections

    def close(self) -> None:
        self.stopping.set()
        self.thread.join()
        self.socket.close()


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    running = Listener()
    yield running
    running.close()


def test_the_listener_does_count_a_connection(listener: Listener) -> None:
    before = listener.settled()
    with socket.create_connection(listener.address) as fetch:
        fetch.sendall(b"GET /xxe HTTP/1.0\r\n\r\n")
    assert listener.settled() == before + 1


BROKEN = broken_cases("http://127.0.0.1:PORT")


@pytest.mark.parametrize("index", range(len(BROKEN)), ids=[name for name, *_ in BROKEN])
def test_a_broken_einvoice_is_refused_or_gives_its_findings(index: int, listener: Listener) -> None:
    _name, content, refusal, rules = broken_cases(listener.url)[index]
    before = listener.settled()
    if refusal:
        with pytest.raises(Refused) as refused:
            read_einvoice(content)
        assert refused.value.code == refusal
        assert refused.value.message_de and refused.value.message_en
    else:
        reading = read_einvoice(content)
        assert reading is not None
        found = {f.rule for f in reading.findings}
        assert rules <= found, found
        assert all(f.message_de and f.message_en and f.severity in ("error", "warning") for f in reading.findings)
    assert listener.settled() == before, "a hostile file made a network connection"


@pytest.mark.parametrize(("name", "content"), plain_files())
def test_a_file_that_is_no_einvoice_reads_as_none(name: str, content: bytes) -> None:
    assert read_einvoice(content) is None


def test_findings_carry_amounts_german_and_english() -> None:
    _name, content, _refusal, _rules = next(case for case in BROKEN if case[0] == "wrong-due")
    reading = read_einvoice(content)
    message = next(f for f in reading.findings if f.rule == "BR-CO-16")
    assert "400.00" in message.message_en and "428.40" in message.message_en
    assert message.message_de.startswith("Der fällige Betrag")
    assert reading.invoice.totals.due == Decimal("400.00")


class FetchingResolver(etree.Resolver):
    """What an unsafe XML stack does with a DTD or entity URL: fetch it (lxml's own libxml2 build has no HTTP)."""

    def resolve(self, url, public_id, context):
        with contextlib.suppress(OSError):
            urllib.request.urlopen(url, timeout=5).close()  # the loopback listener only
        return self.resolve_string("", context)


@pytest.mark.parametrize("name", ["xxe-http-ubl", "external-dtd", "parameter-entity"])
def test_an_unsafe_parser_would_be_seen_by_the_listener(name: str, listener: Listener) -> None:
    """The control: the same hostile files through an XML stack that fetches do reach the listener, so the zero
    above means our reading fetched nothing, not that nothing pointed at the listener."""
    content = next(case[1] for case in broken_cases(listener.url) if case[0] == name)
    parser = etree.XMLParser(load_dtd=True, no_network=False, resolve_entities=True)
    parser.resolvers.add(FetchingResolver())
    before = listener.settled()
    with contextlib.suppress(etree.XMLSyntaxError):
        etree.fromstring(content, parser)
    assert listener.settled() > before


@pytest.mark.parametrize("name", ["zugferd-invoice.xml", "ZUGFeRD-invoice.xml", "xrechnung.xml"])
def test_the_other_attachment_names_are_read_too(name: str) -> None:
    xml = cii(Sample(number="RE-ATT"))

    reading = read_einvoice(pdf_with_attachment(name, xml))

    assert (reading.container, reading.xml_name, reading.xml, reading.invoice.number) == ("pdf", name, xml, "RE-ATT")
