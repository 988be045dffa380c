"""The bot answers in the customer's language and never breaks on odd input."""
import pytest

from tests.integration.conversation import Customer

pytestmark = [pytest.mark.services, pytest.mark.rasa]


@pytest.fixture
def customer(apps):
    return Customer(apps["rasa"].address())


def is_chinese(text: str) -> bool:
    return sum("\u4e00" <= ch <= "\u9fff" for ch in text) > len(text) / 4


async def test_answers_follow_the_customers_language_switch(customer):
    english = await customer.say("hi there")
    chinese = await customer.say("你是机器人吗")
    english_again = await customer.say("thanks a lot")
    assert not is_chinese(english) and is_chinese(chinese) and not is_chinese(english_again), customer


@pytest.mark.parametrize("message", ["asdfgh qwerty zxcv", "叽里咕噜哗啦啦", "xqz 嘤嘤嘤 wubba"])
async def test_nonsense_gets_a_rephrase_request_with_suggestions(customer, message):
    answer = await customer.say(message)
    assert "[" in answer, customer  # the rephrase request comes with suggestion buttons


async def test_emoji_only_gets_a_sensible_reply(customer):
    # A thumbs-up or a smile reads as a friendly yes: the bot asks what else it can do, or asks
    # to rephrase. Either way it answers, in the conversation's language.
    answer = await customer.say("😀😀😀🎉")
    assert "还有什么可以帮您" in answer or "换个说法" in answer, customer


async def test_two_fallbacks_in_a_row_hand_over(customer):
    await customer.say("hi")
    first = await customer.say("blorp zing wobble")
    second = await customer.say("flim flam zoodle")
    assert "say it another way" in first, customer
    assert "a person from our team is on the way" in second, customer


async def test_a_5000_character_message_gets_an_answer(customer):
    answer = await customer.say("where is my order " + "x" * 4982)
    assert answer.strip(), customer


async def test_an_empty_message_is_refused_without_breaking_the_conversation(customer):
    await customer.say("")
    answer = await customer.say("hello")
    assert answer.startswith("Hi!"), customer
