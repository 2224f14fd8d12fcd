"""Conduct incidents, their reviews and restrictions (POLICY R4-R6)."""
