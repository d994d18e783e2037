"""The table of sales-document kinds: each kind once, and its names in each part of the API agree."""

import pytest

from lexoffice.client import Lexoffice
from lexoffice.kinds import BY_EVENT_RESOURCE, BY_PATH, BY_VOUCHER_TYPE, SALES_KINDS


def test_every_name_of_every_kind_is_unique() -> None:
    assert len(BY_VOUCHER_TYPE) == len(BY_PATH) == len(BY_EVENT_RESOURCE) == len(SALES_KINDS) == 7


@pytest.mark.parametrize("kind", SALES_KINDS, ids=lambda kind: kind.voucher_type)
def test_the_names_of_a_kind_are_spellings_of_one_name(kind) -> None:
    # credit-notes (endpoint), credit-note (event), creditnote (voucher list)
    assert kind.path == f"{kind.event_resource}s"
    assert kind.voucher_type == kind.event_resource.replace("-", "")


def test_the_client_refuses_a_kind_not_named_by_its_path(sandbox) -> None:
    client = Lexoffice(sandbox.api_key, sandbox.base_url, rate=0)
    with pytest.raises(ValueError, match="unknown sales document kind"):
        client.sales_document("creditnote", "c1d2e3f4-5555-4e4e-8a8a-0b0b0b0b0b05")
    assert client.requests_sent == 0
