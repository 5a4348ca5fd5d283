"""Matching service: takes in AI usage reports and matches every line to works.

It keeps its own read model of the repertoire (works, recordings, titles, creators), fed by the
repertoire's events, so matching a line never needs a call to another service. Layers as in every
service: ``domain``, ``service_layer``, ``adapters``, ``entrypoints``, ``bootstrap``.
"""
