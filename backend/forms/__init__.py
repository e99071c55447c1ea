"""WTForms for browsers and, through backend/forms/binding.py, the same rules for JSON bodies."""
