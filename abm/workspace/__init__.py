"""Per-workspace settings: every threshold a user can change, with typed defaults."""
