"""Poradnyk's core: what every process shares, with no Rasa, Telegram or web framework.

- :mod:`poradnyk.languages`: the answer languages.
- :mod:`poradnyk.content`: the content model, validation, loading and hot reload.
- :mod:`poradnyk.payload`: the one codec of button data (built and parsed here only).
- :mod:`poradnyk.compose`: replies (text and buttons) composed from content.
- :mod:`poradnyk.regions`: the region matcher, a pure function of the text.
- :mod:`poradnyk.spelling`: one canonical Latin spelling of a word in any script.
- :mod:`poradnyk.content_cli`: ``bin/staff content check|show`` for staff.

The arrows point one way: the adapter, the console, the actions and the NLU components
import this package; it imports nothing of theirs.
"""
