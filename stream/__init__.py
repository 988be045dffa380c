"""The message stream: Rasa's tracker events turned into masked, pseudonymous envelopes on a Kafka
topic (cs.messages) for analytics and monitoring. `python -m stream serve` runs it; see README.md."""
