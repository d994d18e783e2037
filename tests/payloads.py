"""Request bodies the write-path tests share: Lexoffice's own shapes, valid as they stand."""

NEW_COMPANY = {
    "roles": {"customer": {}},
    "company": {
        "name": "Nordlicht Werkstatt GmbH",
        "contactPersons": [
            {
                "salutation": "Herr",
                "firstName": "Jonas",
                "lastName": "Kraft",
                "primary": True,
                "emailAddress": "jonas@nordlicht.example",
            }
        ],
    },
    "addresses": {"billing": [{"street": "Hafenweg 3", "zip": "20457", "city": "Hamburg", "countryCode": "DE"}]},
    "emailAddresses": {"business": ["info@nordlicht.example"]},
    "note": "Angelegt per Lexhub",
}

GOODS = "16d04a28-9d3d-4a83-a0f4-5ef6b1b3c2a1"  # a posting category for purchases ("Wareneingang")

# A gross purchase invoice with a 19 % and a 7 % item whose totals add up.
PURCHASE_VOUCHER = {
    "type": "purchaseinvoice",
    "voucherNumber": "ER-2026-1",
    "voucherDate": "2026-03-01",
    "taxType": "gross",
    "totalGrossAmount": 226.0,
    "totalTaxAmount": 26.0,
    "useCollectiveContact": True,
    "voucherItems": [
        {"amount": 119.0, "taxAmount": 19.0, "taxRatePercent": 19, "categoryId": GOODS},
        {"amount": 107.0, "taxAmount": 7.0, "taxRatePercent": 7, "categoryId": GOODS},
    ],
}
