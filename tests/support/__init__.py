"""Helpers for the tests: starting services in-process, clients, polling."""
