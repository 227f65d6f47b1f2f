"""Importing accounting exports (CSV, XLSX): accounts, contacts, products, orders, receivables."""
