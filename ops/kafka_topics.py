"""Kafka topics our consumers and producers need before anyone has written to them."""
from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient, NewTopic


def ensure_topic(bootstrap: str, topic: str) -> None:
    """Creates `topic` with the broker's defaults when it does not exist: on a fresh broker a
    consumer of a missing topic gets no partitions and waits forever."""
    admin = AdminClient({"bootstrap.servers": bootstrap})
    if topic in admin.list_topics(timeout=10).topics:
        return
    future = admin.create_topics([NewTopic(topic, num_partitions=-1, replication_factor=-1)])[topic]
    try:
        future.result(timeout=30)
    except KafkaException as error:
        if error.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:  # another process won the race
            raise
