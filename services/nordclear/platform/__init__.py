"""Shared platform of every Nordclear service: settings, logging, persistence, messaging, gRPC, auth.

Service packages build on this; nothing here knows about a particular service's domain.
"""
