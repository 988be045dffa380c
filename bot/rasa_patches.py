"""Fixes to Rasa 3.6's hot path, installed before Rasa starts (`python -m bot.rasa_cli`, which
`python -m ops.rasa` and `make run` use). Each one keeps Rasa's behaviour and only removes waste that
the load bench's profile showed (bench/README.md).

- Every reply of the action server is checked against Rasa's JSON schema with `jsonschema.validate()`,
  which looks up the validator class and checks the schema itself on every call: about 20 ms of CPU
  on the event loop per custom action under load, stalling every other conversation meanwhile. The
  same schema, compiled once, checks a reply in about 0.6 ms, with the same errors.
- The Kafka event broker logs a line at INFO for every event the broker confirms, a dozen per turn
  (about half a megabyte a minute at 7 turns a second). Confirmations are silenced; failed deliveries
  are still logged, at ERROR.
"""
import logging
from typing import Any, Dict, Optional, Text

from jsonschema import validators
from jsonschema.exceptions import best_match
from rasa.core.actions.action import RemoteAction

_response_validator: Optional[Any] = None


def _compiled_response_validator() -> Any:
    global _response_validator
    if _response_validator is None:
        schema = RemoteAction.action_response_format_spec()
        validator_class = validators.validator_for(schema)
        validator_class.check_schema(schema)
        _response_validator = validator_class(schema)
    return _response_validator


_original_validate = RemoteAction._validate_action_result


def _validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    """RemoteAction._validate_action_result with the schema compiled once; the same error text."""
    if best_match(_compiled_response_validator().iter_errors(result)) is None:
        return True
    return _original_validate(self, result)  # raises, with Rasa's own message and docs pointer


def install() -> None:
    RemoteAction._validate_action_result = _validate_action_result
    logging.getLogger("rasa.core.brokers.kafka").setLevel(logging.WARNING)
