"""Unit tests of the settlement service, and the builders and event scenarios the other tiers reuse."""
