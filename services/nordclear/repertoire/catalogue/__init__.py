"""Generated Nordic repertoire for tests and benchmarks: works, parties, shares, recordings and noise.

``generator.iter_works(seed, count)`` streams deterministic works with valid identifiers and CWR-valid
shares; ``noise.noisy_variant`` damages a title the way usage reports do and labels the damage. Plain
dataclasses of its own, so that any service's tests can use it without depending on one service's model.
"""
