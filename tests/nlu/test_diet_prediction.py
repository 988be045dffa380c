"""bot/rasa_patches.py's DIET fix on the trained model: once the prediction step is called through its
concrete function, the NLU gives exactly what it gave through the tf.function."""
import asyncio

import pytest
from rasa.core.agent import Agent
from rasa.nlu.classifiers.diet_classifier import DIETClassifier
from rasa.utils.tensorflow.models import RasaModel

from bot import rasa_patches
from ops.apps import MODEL_PATH

MESSAGES = ["hi", "你好", "where is my order A10023?", "我的订单 A10023 到哪了", "does the X200 have noise cancelling?",
            "does the 65W charger work with the P30?", "我要找人工客服", "blorp zing wobble"]


def parse_all(agent):
    return [asyncio.run(agent.parse_message(text)) for text in MESSAGES]


def test_the_concrete_prediction_step_gives_what_the_tf_function_gave(monkeypatch):
    if not MODEL_PATH.exists():
        pytest.fail(f"no trained model at {MODEL_PATH}; run `make train`")
    agent = Agent.load(str(MODEL_PATH))
    nodes = agent.processor.graph_runner._instantiated_nodes.values()
    diet = next(node._component for node in nodes if isinstance(node._component, DIETClassifier))
    through_tf_function = parse_all(agent)
    assert hasattr(diet.model._tf_predict_step, "get_concrete_function")

    monkeypatch.setattr(RasaModel, "_rasa_predict", rasa_patches._rasa_predict)
    asyncio.run(agent.parse_message("hi"))  # the first call still goes through the tf.function
    through_concrete_function = parse_all(agent)

    assert not hasattr(diet.model._tf_predict_step, "get_concrete_function")
    assert through_concrete_function == through_tf_function
    assert {parsed["intent"]["name"] for parsed in through_tf_function} >= {"greet", "order_status", "request_human"}
