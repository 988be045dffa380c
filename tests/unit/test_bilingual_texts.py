"""Every text the bot can send exists in Chinese and English."""
import re

import yaml

from actions.messages import LANGUAGES, catalog, render
from ops.paths import ROOT


def test_every_domain_response_has_a_zh_and_an_en_variation():
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    for name, variations in domain["responses"].items():
        languages = sorted(
            condition["value"] for variation in variations for condition in variation.get("condition", [])
            if condition["name"] == "language"
        )
        assert languages == sorted(LANGUAGES), f"{name} has language variations {languages}"


def test_every_catalog_message_renders_in_both_languages():
    for key in catalog():
        for language in LANGUAGES:
            assert render(key, language)["text"].strip(), f"{key} ({language}) is empty"


def test_every_message_the_actions_use_is_in_the_catalog():
    used = set()
    for source in (ROOT / "actions").glob("*.py"):
        used |= set(re.findall(r'say\([^,]+, [^,]+, "([a-z0-9_]+)"', source.read_text()))
    assert used, "no say(...) calls found: the pattern above is out of date"
    assert used <= set(catalog()), f"missing from messages.yml: {sorted(used - set(catalog()))}"


def test_order_changes_have_their_refusal_and_success_texts():
    from actions.orders import SubmitOrderChange

    for action in SubmitOrderChange.__subclasses__():
        assert {f"refused_{action.change}", f"{action.change}_done"} <= set(catalog()), action.change


def test_form_prompts_have_texts():
    from actions.prompts import PROMPTS

    for prompt in PROMPTS:
        assert prompt().name().replace("action_", "", 1) in catalog()


def test_placeholders_are_filled_and_missing_ones_stay_visible():
    message = render("order_status", "en", order_id="A10023", status="shipped")
    assert message["text"] == "Order A10023: shipped."
    assert "{status}" in render("order_status", "en", order_id="A10023")["text"]


def test_every_order_status_has_words():
    from orders import ORDER_STATUSES

    assert {f"status_{status}" for status in ORDER_STATUSES} <= set(catalog())
