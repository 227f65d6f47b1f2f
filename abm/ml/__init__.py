"""Machine learning for segments and potential: plain functions over arrays.

No Flask, no session, nothing else from abm (an import-linter contract keeps it so).
"""
