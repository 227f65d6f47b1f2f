"""Segmentation and potential: plain functions over arrays (no Flask, no session)."""
