"""Reservia's release number, reported by /info/get_version."""
__version__ = "0.1.0"
