"""Tests of Nordclear: unit, integration and end-to-end tiers."""
