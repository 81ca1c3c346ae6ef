"""assess: where a software team really stands on the Level 0-5 scale of AI coding autonomy."""

__version__ = "0.1.0"
