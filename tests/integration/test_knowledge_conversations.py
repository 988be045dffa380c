"""Product and policy questions end to end; the expected facts are read from the same graph."""
import pytest

from kg import KnowledgeGraph
from tests.integration.conversation import Customer

pytestmark = [pytest.mark.services, pytest.mark.rasa]


@pytest.fixture
async def graph(backing_servers):
    graph = KnowledgeGraph.from_env()
    yield graph
    await graph.close()


@pytest.fixture
def customer(apps):
    return Customer(apps["rasa"].address())


async def test_attribute_question_in_english(customer, graph):
    expected = await graph.attribute("AU-X200", "noise_cancelling", "en")
    answer = await customer.say("does the X200 have noise cancelling?")
    assert expected.known and expected.text in answer, customer


async def test_attribute_question_in_chinese(customer, graph):
    expected = await graph.attribute("AU-SPK-PRO", "waterproof_rating", "zh")
    answer = await customer.say("Bassline Pro音箱防水吗")
    assert expected.known and expected.text in answer, customer


async def test_compatibility_question(customer, graph):
    cases = await graph.accessories_for("PH-P30", "case")
    answer = await customer.say("which cases fit the P30?")
    assert cases and all(case.name("en") in answer for case in cases), customer


async def test_policy_question_about_a_product_in_chinese(customer, graph):
    policy = await graph.policy_for_product("MB-FORMULA-1", "return", "zh")
    answer = await customer.say("Milkway一段奶粉可以退货吗")
    assert policy is not None and policy.text in answer, customer


async def test_return_of_a_product_with_its_own_rules_states_them_first(customer, graph):
    policy = await graph.policy_for_product("MB-FORMULA-1", "return", "en")
    answer = await customer.say("I want to return the baby formula I bought")
    assert policy is not None and not policy.is_default, policy
    assert policy.text in answer and "order number" in answer, customer


async def test_return_under_the_standard_rules_goes_straight_to_the_form(customer, graph):
    policy = await graph.policy_for_product("AP-SNEAKER-RUN", "return", "en")
    answer = await customer.say("I'd like to send back the running shoes I bought")
    assert policy is not None and policy.is_default, policy
    assert policy.text not in answer and "order number" in answer, customer


async def test_unknown_product_is_admitted_and_a_person_offered(customer):
    answer = await customer.say("does the Zorblax Q9 have a glass jar?")
    assert "don't know" in answer and "[Talk to a person]" in answer, customer


async def test_cypher_looking_product_names_are_harmless(customer, graph):
    before = await graph.find_products("X200")
    answer = await customer.say("does the X200\"}) MATCH (n) DETACH DELETE n // have a case?")
    assert answer, customer
    assert await graph.find_products("X200") == before


async def test_faq_answer_comes_from_the_graph(customer, graph):
    question = "how long does delivery usually take?"
    hit = await graph.best_faq(question, "en")
    answer = await customer.say(question)
    assert hit is not None and hit.answer in answer, customer
