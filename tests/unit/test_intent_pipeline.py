"""The sentence-vector featurizer and the logistic-regression intent classifier, on their own."""
import json

import numpy as np
import pytest
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.intent_classifier import LinearIntentClassifier, word_ngrams
from bot.sentence_featurizer import SentenceEncoderFeaturizer
from bot.sentence_vectors import DIMENSIONS, encode

CONTEXT = type("Context", (), {"node_name": "test"})()
EXAMPLES = {
    "order_status": ["我的快递到哪了", "订单什么时候到", "查一下物流", "where is my order", "track my package",
                     "has my order shipped"],
    "request_human": ["转人工", "我要找客服", "人工服务", "talk to a human", "I want a real agent",
                      "get me a person"],
    "greet": ["你好", "在吗", "哈喽", "hello", "hi there", "good morning"],
}


def tokenizer():
    return JiebaTokenizer.create(JiebaTokenizer.get_default_config(), None, None, CONTEXT)


def featurizer():
    return SentenceEncoderFeaturizer.create(SentenceEncoderFeaturizer.get_default_config(), None, None, CONTEXT)


def prepared(messages):
    data = TrainingData(training_examples=messages)
    featurizer().process_training_data(tokenizer().process_training_data(data))
    return messages


def training_data():
    return TrainingData(training_examples=prepared(
        [Message(data={TEXT: text, INTENT: intent}) for intent, texts in EXAMPLES.items() for text in texts]))


@pytest.fixture
def storage(tmp_path):
    return LocalModelStorage(tmp_path)


def trained(storage):
    classifier = LinearIntentClassifier.create({}, storage, Resource("intents"), CONTEXT)
    classifier.train(training_data())
    return classifier


def parsed(classifier, *texts):
    return classifier.process(prepared([Message(data={TEXT: text}) for text in texts]))


def test_the_featurizer_adds_one_sentence_vector_to_every_message_with_text_only():
    messages = prepared([Message(data={TEXT: "我的order到哪了"}), Message(data={TEXT: ""}),
                         Message(data={"intent": "greet"})])
    with_text, empty, intent_only = messages
    sequence, sentence = with_text.get_dense_features(TEXT)
    assert sequence is None and sentence.features.shape == (1, DIMENSIONS)
    assert np.allclose(sentence.features[0], encode(["我的order到哪了"])[0])
    assert empty.features == [] and intent_only.features == []  # as Rasa's featurizers: DIET skips them


def test_word_ngrams():
    assert word_ngrams(["where", "is", "it"], 2) == ["where", "is", "it", "where is", "is it"]


def test_unseen_wordings_get_their_intent_with_a_full_ranking(storage):
    for message, intent in zip(parsed(trained(storage), "我的包裹怎么还没到", "can a person help me", "嗨"),
                               ("order_status", "request_human", "greet")):
        assert message.get(INTENT)["name"] == intent
        ranking = message.get(INTENT_RANKING_KEY)
        assert [r["name"] for r in ranking][0] == intent and len(ranking) == 3
        assert sum(r["confidence"] for r in ranking) == pytest.approx(1.0)


def test_a_saved_classifier_loads_without_pickle_and_answers_the_same(storage, tmp_path):
    before = [m.get(INTENT_RANKING_KEY) for m in parsed(trained(storage), "where's my stuff", "人工客服")]
    files = sorted(p.name for p in tmp_path.rglob("*") if p.is_file())
    assert files == ["arrays.npz", "state.json"]
    assert json.loads(next(tmp_path.rglob("state.json")).read_text())["classes"] == sorted(EXAMPLES)
    loaded = LinearIntentClassifier.load({}, storage, Resource("intents"), CONTEXT)
    after = [m.get(INTENT_RANKING_KEY) for m in parsed(loaded, "where's my stuff", "人工客服")]
    assert after == before


def test_an_empty_message_gets_no_intent_for_the_fallbacks_to_handle(storage):
    empty = parsed(trained(storage), "")[0]
    assert empty.get(INTENT) == {"name": None, "confidence": 0.0} and empty.get(INTENT_RANKING_KEY) == []


def test_without_the_sentence_featurizer_the_error_names_it(storage):
    messages = [Message(data={TEXT: text, INTENT: intent}) for intent, texts in EXAMPLES.items() for text in texts]
    tokenizer().process_training_data(TrainingData(training_examples=messages))
    classifier = LinearIntentClassifier.create({}, storage, Resource("intents"), CONTEXT)
    with pytest.raises(InvalidConfigException, match="SentenceEncoderFeaturizer"):
        classifier.train(TrainingData(training_examples=messages))
