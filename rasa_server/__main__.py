"""``python -m rasa_server run ...``: the ``rasa`` command, with the speed-ups installed."""

from __future__ import annotations

from rasa.__main__ import main

from rasa_server.speedups import install

if __name__ == "__main__":
    install()
    main()
