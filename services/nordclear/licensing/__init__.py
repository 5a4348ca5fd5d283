"""Licensing service: one application, one quote, one signed multi-territory AI licence (BRIEF §4).

Its contract is sketched in ``protos/nordclear/licensing/v1``; the behaviour arrives with the licensing
issue. Until then every RPC answers UNIMPLEMENTED, while the process, its database, its outbox and its
health and reflection endpoints already run like every other service.
"""
