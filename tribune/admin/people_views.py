"""Administration of people and associations (see below)."""
