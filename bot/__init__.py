"""Telegram adapter of Poradnyk: language choice, Rasa client, rendering, storage."""
