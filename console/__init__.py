"""The staff console: a Django project, and the owner of every table outside Rasa.

Its settings (:mod:`console.settings`) name the database for the adapter and the console
alike; the adapter's tables are the :mod:`store` app, the console's own pages come in apps
beside it. ``python -m console <command>`` is Django's ``manage.py``.
"""
