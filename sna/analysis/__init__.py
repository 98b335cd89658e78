"""Analyses: functions from graphs and tables to tables (no I/O, no plotting)."""
