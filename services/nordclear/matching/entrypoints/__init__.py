"""Entry points of the matching service: the gRPC servicer and the Kafka event handlers."""
