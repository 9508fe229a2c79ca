"""Starts the Rasa server with Poradnyk's measured speed-ups (``python -m rasa_server``)."""
