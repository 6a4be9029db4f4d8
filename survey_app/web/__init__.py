"""Machikoe."""
