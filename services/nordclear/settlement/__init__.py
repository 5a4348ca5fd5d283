"""Settlement service: royalties per work and share, obligations between societies, netting, ledger.

It keeps its own copies of licences, tariffs, fees and matched usage (from licensing and matching
events) and of the repertoire's rights (the shared rights view), runs settlement periods into an
append-only double-entry ledger, and serves statements, net positions, payment instructions,
obligations by deadline, balances and suspense over gRPC (``protos/nordclear/settlement/v1``).
"""
