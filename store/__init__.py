"""Every table the adapter keeps (Django models and migrations), and the one API to them.

The console's framework owns the schema (``python -m console migrate``); the adapter goes
through :class:`store.api.Store` only, never through SQL of its own. People are keyed by
a pseudonym (an HMAC of the Telegram id with a secret salt), never by their Telegram id.
"""
