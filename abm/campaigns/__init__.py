"""Per-account campaigns: audiences, sandboxed templates, approvals, scheduling and results."""
