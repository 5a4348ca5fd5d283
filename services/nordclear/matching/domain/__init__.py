"""The matching service's domain model: pure Python, no I/O, no transport types."""
