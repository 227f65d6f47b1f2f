"""Kept for views that import :func:`writes` from here: it lives in :mod:`abm.http`.

The read-only requests serve the web UI and the JSON API alike, and the API
must not import the web UI, so the marker moved to the neutral module.
"""

from abm.http import writes

__all__ = ["writes"]
