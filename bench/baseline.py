"""The baseline the load bench compares us with: plain Rasa 3.6 with our NLU pipeline and responses,
and nothing of ours around it: no custom actions, no forms, no tracker or lock store, no event broker.

The project is generated from our own config.yml, domain.yml and data/nlu, so it follows every change
to them. Each intent gets one rule to one response: our responses where the intent has one, and a
fixed sentence per language where our bot would run a custom action (it answers without looking
anything up, which is what a plain Rasa demo does). The model is trained once per change of its inputs.
"""
import hashlib
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List

import yaml

from ops.paths import ROOT, RUN_DIR

PROJECT = RUN_DIR / "bench" / "baseline"
MODEL_NAME = "baseline"
MODEL_PATH = ROOT / "models" / f"{MODEL_NAME}.tar.gz"
INPUTS_STAMP = ROOT / "models" / f"{MODEL_NAME}.inputs.sha256"

# Where our bot runs a custom action, the baseline answers with a fixed response (zh, en).
STAND_IN_ANSWERS = {
    "order_status": ("好的，我来帮您查询订单，请稍等。", "Sure, let me look up your order."),
    "change_address": ("好的，我来帮您修改收货地址。", "Sure, I can help you change the delivery address."),
    "cancel_order": ("好的，我来帮您取消订单。", "Sure, I can help you cancel the order."),
    "return_request": ("好的，我来帮您办理退货。", "Sure, I can help you return it."),
    "product_question": ("关于这个商品，我来帮您查一下。", "Let me check that product for you."),
    "faq": ("关于这个问题，请查看帮助中心的说明。", "Please see our help centre for that."),
    "request_human": ("好的，正在为您转接人工客服。", "OK, connecting you with a person."),
}
# Intents whose answer is one of our own domain responses.
OWN_RESPONSES = {
    "greet": "utter_greet", "goodbye": "utter_goodbye", "thank": "utter_thank",
    "bot_challenge": "utter_iamabot", "out_of_scope": "utter_out_of_scope",
    "affirm": "utter_how_can_i_help", "deny": "utter_how_can_i_help",
    "inform": "utter_what_to_do_with_order", "complain": "utter_sorry_to_hear",
    "nlu_fallback": "utter_ask_rephrase",
}
# The generated files and everything the model is trained from.
_SOURCES = [ROOT / "config.yml", ROOT / "domain.yml", Path(__file__), *sorted((ROOT / "data" / "nlu").glob("*")),
            *sorted((ROOT / "bot").glob("*.py"))]


def _by_language(zh: str, en: str) -> List[Dict[str, Any]]:
    return [{"condition": [{"type": "slot", "name": "language", "value": "zh"}], "text": zh},
            {"condition": [{"type": "slot", "name": "language", "value": "en"}], "text": en}]


def domain(ours: Dict[str, Any]) -> Dict[str, Any]:
    """Our intents, entities and the responses its rules use; the slots the NLU fills, without the
    forms' mappings."""
    missing = set(ours["intents"]) - set(STAND_IN_ANSWERS) - set(OWN_RESPONSES)
    if missing:
        raise ValueError(f"bench/baseline.py: no baseline answer for the intents {sorted(missing)}")
    responses = {name: ours["responses"][name] for name in sorted(set(OWN_RESPONSES.values()))}
    for intent, (zh, en) in STAND_IN_ANSWERS.items():
        responses[f"utter_baseline_{intent}"] = _by_language(zh, en)
    return {
        "version": ours["version"],
        "session_config": ours["session_config"],
        "intents": ours["intents"],
        "entities": ours["entities"],
        "slots": {
            "language": ours["slots"]["language"],
            "order_id": {"type": "text", "influence_conversation": False,
                         "mappings": [{"type": "from_entity", "entity": "order_id"}]},
        },
        "responses": responses,
    }


def rules(intents: List[str]) -> Dict[str, Any]:
    def answer(intent: str) -> str:
        return OWN_RESPONSES.get(intent) or f"utter_baseline_{intent}"

    return {"version": "3.1", "rules": [
        {"rule": f"answer {intent}", "steps": [{"intent": intent}, {"action": answer(intent)}]}
        for intent in intents]}


CREDENTIALS = {
    "rest": None,
    "socketio": {"user_message_evt": "user_uttered", "bot_message_evt": "bot_uttered",
                 "session_persistence": True},
}


def write_project() -> None:
    ours = yaml.safe_load((ROOT / "domain.yml").read_text())
    (PROJECT / "data").mkdir(parents=True, exist_ok=True)
    dump = lambda data: yaml.safe_dump(data, allow_unicode=True, sort_keys=False)  # noqa: E731
    (PROJECT / "domain.yml").write_text(dump(domain(ours)))
    (PROJECT / "data" / "rules.yml").write_text(dump(rules(ours["intents"])))
    (PROJECT / "credentials.yml").write_text(dump(CREDENTIALS))
    # No stores, no broker, no action server: Rasa's in-memory defaults.
    (PROJECT / "endpoints.yml").write_text("# plain Rasa: in-memory tracker store, no broker, no actions\n")


def inputs_fingerprint() -> str:
    digest = hashlib.sha256()
    for source in _SOURCES:
        digest.update(str(source.relative_to(ROOT)).encode() + b"\0" + source.read_bytes() + b"\0")
    return digest.hexdigest()


def ensure_model() -> Path:
    """Writes the project and trains its model, unless a model of the same inputs is there."""
    write_project()
    fingerprint = inputs_fingerprint()
    if MODEL_PATH.exists() and INPUTS_STAMP.exists() and INPUTS_STAMP.read_text() == fingerprint:
        return MODEL_PATH
    print("training the baseline model (plain Rasa, same NLU pipeline; a few minutes)...", flush=True)
    # Same config.yml and NLU data as ours; the baseline's own domain and rules.
    subprocess.run([sys.executable, "-m", "ops.rasa", "train", "--config", str(ROOT / "config.yml"),
                    "--domain", str(PROJECT / "domain.yml"),
                    "--data", str(ROOT / "data" / "nlu"), str(PROJECT / "data"),
                    "--out", str(MODEL_PATH.parent), "--fixed-model-name", MODEL_NAME],
                   cwd=ROOT, check=True)
    INPUTS_STAMP.write_text(fingerprint)
    return MODEL_PATH
