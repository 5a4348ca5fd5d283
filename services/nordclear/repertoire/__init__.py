"""Repertoire service: the joint works database of the five societies, and the AI consent register.

Layers, from the inside out: ``domain`` (pure rules), ``service_layer`` (use cases through a unit of
work), ``adapters`` (SQL tables, repositories, event translation), ``entrypoints`` (gRPC servicer), and
``bootstrap`` (the composition root that wires them).
"""
