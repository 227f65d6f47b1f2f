"""Key-account analytics: shares and risk flags, Pareto, top-N, ABC-XYZ, alerts and churn."""
