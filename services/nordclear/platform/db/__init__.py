"""Persistence shared by every service: engines, the unit of work, migrations and the messaging tables."""
