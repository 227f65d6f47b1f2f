"""Currencies: the workspace currency, the exchange rates the admin keeps, and conversion."""
