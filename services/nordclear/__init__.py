"""Nordclear: the Nordic AI clearing house."""
