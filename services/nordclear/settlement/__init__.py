"""Settlement service: royalties per work and share, obligations between societies, netting, ledger.

Its contract is sketched in ``protos/nordclear/settlement/v1``; the behaviour arrives with the settlement
issue. Until then every RPC answers UNIMPLEMENTED, while the process, its database, its outbox and its
health and reflection endpoints already run like every other service.
"""
