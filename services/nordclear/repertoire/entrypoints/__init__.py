"""Entry points of the repertoire service: the gRPC servicer translates protobuf to use cases."""
