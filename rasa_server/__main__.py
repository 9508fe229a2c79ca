"""``python -m rasa_server run ...``: the ``rasa`` command, with our routes and speed-ups.

The patches replace Rasa internals of exactly one version, so they refuse to load on any
other; and only ``run`` is patched (``train`` and the rest are Rasa as shipped).
"""

from __future__ import annotations

import sys

import rasa

from rasa_server.speedups import PINNED_RASA, install

__all__ = ["prepare"]


def prepare(argv: list[str]) -> None:
    """Refuse an unpinned Rasa; patch this process if ``argv`` runs the server."""
    if rasa.__version__ != PINNED_RASA:
        raise SystemExit(
            f"rasa_server patches Rasa {PINNED_RASA}, but Rasa {rasa.__version__} is "
            "installed. Install the pinned version (./run does) or check every patch of "
            "rasa_server/ against the new version first."
        )
    if argv[:1] == ["run"]:
        install()


if __name__ == "__main__":
    prepare(sys.argv[1:])
    from rasa.__main__ import main

    main()
