"""Running the whole clearing house on one machine: the embedded default that ``make run`` starts."""
