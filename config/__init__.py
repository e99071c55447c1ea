"""Reservia's settings: every default lives in config/defaults.py, every one can be set from the environment."""
from config.loader import load_settings

__all__ = ["load_settings"]
