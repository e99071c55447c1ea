"""Reservia's benchmark: a real multi-process server, a separate load process, figures as JSON and a table."""
