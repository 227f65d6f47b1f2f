"""Loyalty programmes: tiers and their rules, memberships, invitations and tier proposals."""
