"""Use cases of the settlement service: runs, ledger postings, suspense release and FX rates."""
