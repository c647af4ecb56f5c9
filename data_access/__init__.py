"""The store: models, sessions, scoped read queries, write commands, rollups and demo data."""
