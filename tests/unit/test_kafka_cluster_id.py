"""Kafka's storage tool takes the cluster id as an option value: one starting with '-' is read as an
option and formatting fails (seen in CI once in a while: 1 id in 64 did)."""
import base64

from ops.servers import new_cluster_id


def test_cluster_ids_never_start_with_a_dash_and_are_kafka_shaped():
    ids = [new_cluster_id() for _ in range(2000)]
    assert not [cluster_id for cluster_id in ids if cluster_id.startswith("-")]
    assert len(set(ids)) == len(ids)
    for cluster_id in ids[:50]:
        assert len(cluster_id) == 22 and len(base64.urlsafe_b64decode(cluster_id + "==")) == 16
