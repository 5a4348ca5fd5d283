"""Entry points of the licensing service: the gRPC servicer."""
