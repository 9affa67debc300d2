"""The JSON API (/api/v1): read-only, GET only."""
