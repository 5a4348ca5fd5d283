"""Licensing service: one application, one quote, one signed multi-territory AI licence (BRIEF §4).

Licensees register and apply; applications are priced from tariffs that are data; the hub society's ops
approve; the licence is issued, signed with Ed25519 and verifiable offline; coverage is answered from the
repertoire's consents and mandates as they stood on the day, read from its events.
"""
