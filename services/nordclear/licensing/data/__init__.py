"""Data files of the licensing service: the illustrative demo tariffs, admin fees and exchange rates."""
