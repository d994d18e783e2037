"""The mapping from an e-invoice to Lexoffice's bookkeeping voucher passes Lexhub's local copy of Lexoffice's rules
(once a posting category is chosen: an e-invoice cannot say how to post it)."""

import pytest

from einvoices.prefill import lexoffice_voucher, seller_contact
from einvoices.reading import read_einvoice
from harness.einvoice_xml import cii, ubl
from tests.einvoices.corpus import SCENARIOS
from vouchers.validation import validate_voucher

pytestmark = pytest.mark.django_db
CATEGORY = "8f8664a5-fd86-11e1-a21f-0800200c9a66"


@pytest.mark.parametrize(
    "scenario", ["one-rate", "two-rates", "reverse-charge", "exempt", "allowances-charges", "prepaid"]
)
@pytest.mark.parametrize("credit", [False, True])
def test_an_einvoice_maps_to_a_voucher_lexoffice_accepts(connection, scenario: str, credit: bool) -> None:
    sample = SCENARIOS[scenario].with_(credit=credit)
    invoice = read_einvoice((ubl if credit else cii)(sample)).invoice

    payload = lexoffice_voucher(connection=connection, invoice=invoice)
    for item in payload["voucherItems"]:
        item["categoryId"] = CATEGORY

    assert validate_voucher(payload) == {}
    assert payload["type"] == ("purchasecreditnote" if credit else "purchaseinvoice")
    assert payload["voucherNumber"] == sample.number
    assert payload["totalGrossAmount"] == float(sample.gross)
    assert [(i["amount"], i["taxAmount"], i["taxRatePercent"]) for i in payload["voucherItems"]] == [
        (float(base), float(tax), int(rate)) for _cat, rate, base, tax in sample.breakdown()
    ]
    assert payload["useCollectiveContact"] is True and payload["contactName"] == sample.seller_name


def test_the_seller_becomes_a_vendor_contact() -> None:
    invoice = read_einvoice(ubl(SCENARIOS["reverse-charge"])).invoice

    contact = seller_contact(invoice)

    assert contact["roles"] == {"vendor": {}}
    assert contact["company"] == {
        "name": "Nordlicht Werkstatt GmbH",
        "vatRegistrationId": "ATU12345678",
        "taxNumber": "2893/123/45678",
    }
    assert contact["addresses"]["billing"] == [
        {"street": "Hafenweg 3", "zip": "20457", "city": "Hamburg", "countryCode": "AT"}
    ]
