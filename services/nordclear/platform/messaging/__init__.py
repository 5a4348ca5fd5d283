"""Kafka messaging: event envelopes, the outbox relay, the inbox consumer, dead letters and topics."""
