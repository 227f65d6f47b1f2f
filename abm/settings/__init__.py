"""The workspace's settings as one catalogue: every domain's section, listed and edited."""
