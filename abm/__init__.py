"""abm: an account-based marketing campaign engine.

Importing the package loads nothing heavy: the Flask application is built by
:func:`abm.app.create_app`.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
