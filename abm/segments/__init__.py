"""Segments and account potential stored in the database: runs, segments, assignments, fits."""
