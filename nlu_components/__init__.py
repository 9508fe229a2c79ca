"""Custom Rasa NLU components of Poradnyk."""
