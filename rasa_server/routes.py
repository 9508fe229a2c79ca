"""Routes added to Rasa's HTTP server: delete one conversation, purge old ones, and
report which of our patches the running server has called.

Rasa's API has no way to delete a conversation, and the adapter must not run SQL against
Rasa's tables. These routes use the tracker store's owner module
(:mod:`rasa_server.tracker_store`), protected by Rasa's ``--auth-token`` like the rest of
its API. A delete takes Rasa's own lock of the conversation first, so a message that is
still being processed finishes (and is saved) before everything is deleted: nothing is
written back afterwards.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import rasa
from rasa import server
from sanic import Blueprint, Sanic, response
from sanic.request import Request

from rasa_server.tracker_store import delete_conversation, purge, sql_store
from rasa_server.usage import USED

__all__ = ["add_routes", "creating_app_with_routes"]

logger = logging.getLogger(__name__)


def add_routes(app: Sanic, auth_token: str | None) -> None:
    """Add the Poradnyk routes to Rasa's Sanic app."""
    blueprint = Blueprint("poradnyk", url_prefix="/poradnyk")

    @blueprint.delete("/conversations/<conversation_id>")
    @server.requires_auth(app, auth_token)
    async def delete(request: Request, conversation_id: str) -> Any:
        agent = request.app.ctx.agent
        store = sql_store(agent.tracker_store)
        if store is None:
            return response.json({"error": "tracker store is not SQL"}, status=501)
        async with agent.lock_store.lock(conversation_id):
            deleted = delete_conversation(store, conversation_id)
        logger.info("Conversation deleted (%d events)", deleted)
        return response.json({"deleted": deleted})

    @blueprint.post("/purge")
    @server.requires_auth(app, auth_token)
    async def purge_old(request: Request) -> Any:
        body = request.json if isinstance(request.json, dict) else {}
        seconds = body.get("older_than_seconds")
        if not isinstance(seconds, (int, float)) or seconds <= 0:
            return response.json({"error": "older_than_seconds must be positive"}, status=400)
        store = sql_store(request.app.ctx.agent.tracker_store)
        if store is None:
            return response.json({"error": "tracker store is not SQL"}, status=501)
        deleted = purge(store, time.time() - float(seconds))
        return response.json({"deleted": deleted})

    @blueprint.get("/patches")
    @server.requires_auth(app, auth_token)
    async def patches(request: Request) -> Any:
        store = getattr(request.app.ctx.agent.tracker_store, "_tracker_store", None)
        return response.json(
            {
                "rasa": rasa.__version__,
                "calls": dict(USED),
                "tracker_store": type(store).__name__,
            }
        )

    app.blueprint(blueprint)


def creating_app_with_routes(create_app: Any) -> Any:
    """Wrap ``rasa.server.create_app`` so that every app it makes has our routes."""

    def create(*args: Any, **kwargs: Any) -> Sanic:
        app = create_app(*args, **kwargs)
        add_routes(app, kwargs.get("auth_token"))
        return app

    create.__wrapped__ = create_app  # type: ignore[attr-defined]
    return create
