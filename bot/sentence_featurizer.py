"""Dense sentence features from the multilingual sentence encoder (bot.sentence_vectors).

Sparse n-grams only know the words of the training data; the encoder knows that "refund" and
"money back", or "人工" and "真人", mean nearly the same. The intent classifier
(bot.intent_classifier) reads these vectors; DIET, which finds the entities, sees them too.

Only sentence-level features are added: DIET joins them to the sparse token features itself.
"""
from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import FEATURIZER_CLASS_ALIAS
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.sentence_vectors import encode, warm_up


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceEncoderFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds a 512-dimensional sentence vector of the message text."""

    def __init__(self, config: Dict[Text, Any], execution_context: ExecutionContext) -> None:
        super().__init__(execution_context.node_name, config)
        warm_up()  # while the model loads, not on the first message

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SentenceEncoderFeaturizer":
        return cls(config, execution_context)

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        pass

    def process(self, messages: List[Message]) -> List[Message]:
        # Like Rasa's own featurizers, nothing for an empty text: DIET skips a message without
        # features, but fails on one with a sentence vector and no tokens.
        with_text = [message for message in messages if message.get(TEXT)]
        # One batch: the encoder is several times faster per sentence on a list.
        for message, vector in zip(with_text, encode([message.get(TEXT) for message in with_text])):
            message.add_features(Features(
                vector.reshape(1, -1), FEATURE_TYPE_SENTENCE, TEXT, self._config[FEATURIZER_CLASS_ALIAS]))
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data
