"""Reservia's rules that are not storage: limits, patterns and decisions, in plain Python.

Forms, the Database layer, the delivery worker and the pages import them from here, so each has
one definition; they import nothing of Flask, SQLAlchemy or the rest of backend, and are tested
without a database (tests/test_domain.py).
"""
