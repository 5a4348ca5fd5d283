"""The settlement service's pure domain: royalty allocation, FX, netting, deadlines and the ledger.

Nothing here knows of gRPC, SQL or Kafka; every function is deterministic in its inputs.
"""
