"""What the tests and the benchmarks share to run the real system on this machine.

- :mod:`harness.stack`: the real action server and Rasa server (Python 3.10 venv).
- :mod:`harness.adapter`: the Telegram adapter as its own process (3.12+ venv).
- :mod:`harness.bot_api`: a local stand-in for Telegram's Bot API over HTTP.
- :mod:`harness.flaky_proxy`: a proxy in front of Rasa that can fail on demand.
- :mod:`harness.local_site`: a tiny local HTTP server for transport tests.
- :mod:`harness.nlu_metrics`: held-out sets and their scores.

Neither ``tests/`` nor ``bench/`` import each other; both import this package.
"""
