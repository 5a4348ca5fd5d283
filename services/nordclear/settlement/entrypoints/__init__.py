"""Entry points of the settlement service: the gRPC servicer."""
