import pytest
from rasa_sdk import Tracker

from actions.identity import logged_in_customer, sign_customer_id
from actions.order_forms import normalize_text, parse_order_id


@pytest.mark.parametrize("typed, expected", [
    ("A10023", "A10023"), (" a10023 ", "A10023"), ("Ａ１００２３", "A10023"),
    ("A1002", None), ("A100234", None), ("B10023", None), ("A10023' OR 1=1 --", None), ("", None),
])
def test_parse_order_id(typed, expected):
    assert parse_order_id(typed) == expected


def test_normalize_text_folds_full_width_and_spaces():
    assert normalize_text("  上海市　浦东新区\n世纪大道１００号 ") == "上海市 浦东新区 世纪大道100号"


def tracker_with_metadata(metadata):
    events = [{"event": "user", "text": "hi", "metadata": metadata}]
    return Tracker("s", {}, {}, events, False, None, {}, "rest")


def test_signed_customer_is_recognised(monkeypatch):
    monkeypatch.setenv("CUSTOMER_SIGNING_SECRET", "k" * 32)
    signed = {"customer": {"id": "C001", "signature": sign_customer_id("C001", "k" * 32)}}
    assert logged_in_customer(tracker_with_metadata(signed)) == "C001"


@pytest.mark.parametrize("metadata", [
    {"customer": {"id": "C001", "signature": "0" * 64}},  # forged
    {"customer": {"id": "C001"}},                         # unsigned
    {"customer": "C001"}, {}, None,
])
def test_unsigned_or_forged_customers_are_not_trusted(monkeypatch, metadata):
    monkeypatch.setenv("CUSTOMER_SIGNING_SECRET", "k" * 32)
    assert logged_in_customer(tracker_with_metadata(metadata)) is None


def test_nothing_is_trusted_without_a_secret(monkeypatch):
    monkeypatch.delenv("CUSTOMER_SIGNING_SECRET", raising=False)
    signed = {"customer": {"id": "C001", "signature": sign_customer_id("C001", "")}}
    assert logged_in_customer(tracker_with_metadata(signed)) is None
