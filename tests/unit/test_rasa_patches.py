"""bot/rasa_patches.py: the compiled check of action server replies accepts and refuses exactly what
Rasa's own check does, with Rasa's error text (tests/integration/test_rasa_patches_installed.py
checks that the servers run with it)."""
import logging

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from bot import rasa_patches

VALID = {"events": [{"event": "slot", "name": "product", "value": "AU-X200", "timestamp": None}],
         "responses": [{"text": "X200 有主动降噪。", "buttons": []}]}
INVALID = [{"events": "not a list"}, {"events": [{"event": "no_such_event"}]}, {"responses": [1, 2]}]


@pytest.fixture
def action():
    return RemoteAction("action_answer_product", None)


@pytest.fixture
def patched():
    original = RemoteAction._validate_action_result
    broker_log = logging.getLogger("rasa.core.brokers.kafka")
    level = broker_log.level
    rasa_patches.install()
    yield
    RemoteAction._validate_action_result = original
    broker_log.setLevel(level)


def test_valid_replies_pass_both_checks(action, patched):
    assert RemoteAction._validate_action_result(action, VALID) is True
    assert rasa_patches._original_validate(action, VALID) is True


@pytest.mark.parametrize("reply", INVALID)
def test_invalid_replies_fail_with_rasas_own_message(action, patched, reply):
    with pytest.raises(ValidationError) as ours:
        RemoteAction._validate_action_result(action, reply)
    with pytest.raises(ValidationError) as rasas:
        rasa_patches._original_validate(action, reply)
    assert str(ours.value.message) == str(rasas.value.message)
    assert "Failed to validate Action server response" in ours.value.message


def test_broker_confirmations_are_not_logged_but_failures_are(patched):
    broker_log = logging.getLogger("rasa.core.brokers.kafka")
    assert not broker_log.isEnabledFor(logging.INFO)
    assert broker_log.isEnabledFor(logging.ERROR)
