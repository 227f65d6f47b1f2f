"""The audit log: who did what sensitive thing, when and from where."""
