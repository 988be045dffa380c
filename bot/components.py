"""Rasa NLU components of this project (referenced by module path in config.yml)."""
import json
import re
from typing import Any, Dict, List, Optional, Set, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.known_words import KnownWords
from bot.language import detect_language

LANGUAGE_ENTITY = "language"
# A word has a Latin letter or a Han character; digits, punctuation and emoji are not words.
_WORD = re.compile(r"[A-Za-z\u3400-\u9fff]")


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False
)
class LanguageDetector(GraphComponent, EntityExtractorMixin):
    """Adds a `language` entity (zh or en) to each message that shows its language."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "LanguageDetector":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            language = detect_language(text)
            if language is None:
                continue
            entity = {"entity": LANGUAGE_ENTITY, "value": language, "start": 0,
                      "end": len(text), "confidence": 1.0}
            entities = message.get(ENTITIES, []) + self.add_extractor_name([entity])
            message.set(ENTITIES, entities, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data


def predict_fallback(message: Message, confidence: float) -> None:
    """Makes nlu_fallback the message's intent, keeping the classifier's ranking below it."""
    fallback = {"name": DEFAULT_NLU_FALLBACK_INTENT_NAME, "confidence": confidence}
    message.set(INTENT, fallback, add_to_output=True)
    message.data.setdefault(INTENT_RANKING_KEY, []).insert(0, dict(fallback))


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class OverlongMessageFallback(GraphComponent, IntentClassifier):
    """Predicts nlu_fallback for a message far longer than any training example.

    A classifier's intent for 10,000 characters of pasted text is noise ("Main Street " * 900 read as a
    product question, which made a form answer it as a digression). As nlu_fallback, the text
    still reaches a form's slot validator, which names the length limit; outside a form the
    customer is asked to say it another way.
    """

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"max_characters": 1000}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._max_characters = int(config["max_characters"])

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "OverlongMessageFallback":
        return cls({**cls.get_default_config(), **config})

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if len(message.get(TEXT) or "") > self._max_characters:
                predict_fallback(message, confidence=1.0)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True
)
class UnknownWordsFallback(GraphComponent, IntentClassifier):
    """Predicts nlu_fallback when most words of a message are unknown (bot/known_words.py),
    unless the intent classifier is sure of itself.

    DIET was confidently wrong on gibberish ("flim flam zoodle" read as out_of_scope at 0.99), so
    the FallbackClassifier's confidence threshold never fired on it. The logistic regression with
    sentence vectors is less so, and it knows words no training example has ("absolutely" is
    affirm at 0.997): at `trusted_confidence` or more its intent stands. Keyboard mash still
    reaches 0.97 ("zxcvb nm" as inform), hence 0.98 in config.yml.
    Words covered by an extracted entity (order ids, product names) count as known; digits,
    punctuation and emoji are not words.
    """

    VOCABULARY_FILE = "vocabulary.json"

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"min_known_share": 0.5, "trusted_confidence": 1.0}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 vocabulary: Optional[Set[str]] = None) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._known = KnownWords(vocabulary or ())

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "UnknownWordsFallback":
        return cls(config, model_storage, resource)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "UnknownWordsFallback":
        with model_storage.read_from(resource) as directory:
            words = json.loads((directory / cls.VOCABULARY_FILE).read_text(encoding="utf-8"))
        return cls(config, model_storage, resource, set(words))

    def train(self, training_data: TrainingData) -> Resource:
        vocabulary = {token.text.lower() for message in training_data.training_examples
                      for token in message.get(TOKENS_NAMES[TEXT], [])}
        for table in training_data.lookup_tables:
            vocabulary |= {word.lower() for element in table["elements"] for word in element.split()}
        with self._model_storage.write_to(self._resource) as directory:
            (directory / self.VOCABULARY_FILE).write_text(json.dumps(sorted(vocabulary), ensure_ascii=False),
                                                          encoding="utf-8")
        return self._resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            if intent.get("name") == DEFAULT_NLU_FALLBACK_INTENT_NAME or \
                    intent.get("confidence", 0.0) >= self._config["trusted_confidence"]:
                continue
            share = self.known_share(message)
            if share is not None and share < self._config["min_known_share"]:
                predict_fallback(message, confidence=1.0 - share)
        return messages

    def known_share(self, message: Message) -> Optional[float]:
        """The share of the message's words seen in training; None when it has no words."""
        covered = [(e["start"], e["end"]) for e in message.get(ENTITIES, [])
                   if e.get("entity") != LANGUAGE_ENTITY]
        words = [token for token in message.get(TOKENS_NAMES[TEXT], [])
                 if _WORD.search(token.text)
                 and not any(start <= token.start and token.end <= end for start, end in covered)]
        if not words:
            return None
        return sum(self._known.knows(token.text) for token in words) / len(words)
