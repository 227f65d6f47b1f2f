"""Delivery: the outbox, SMTP sending with suppression and caps, tracking and unsubscribes."""
