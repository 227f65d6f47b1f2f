"""Notifications: what happened that a user should know (a task, an approval, an alert, a run).

Each notification is a code and its parameters, worded in the reader's language
when shown (``texts.py``); the inbox, the unread count and the daily e-mail digest
read them. It sits beside users and runs, under every domain that raises one.
"""
