"""Adapters of the repertoire service: SQL schema, repositories, and event translation to protobuf."""
