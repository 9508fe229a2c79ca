"""A local stand-in for the Telegram Bot API, speaking HTTP like the real one.

The bot under test is pointed at it with ``TELEGRAM_API_BASE_URL``. Tests queue
updates (served by getUpdates or POSTed to a webhook), read what the bot sent, and
can make the next calls of a method fail (429 with retry_after, 5xx, 403).

It also plays the NGO's forum supergroup (:data:`STAFF_CHAT`): forum topics are created,
closed and deleted like in Telegram (a send into a deleted topic fails with "Bad Request:
message thread not found", into a closed one with "TOPIC_CLOSED"), getChatMember answers
from :attr:`BotApiStandIn.members`, and :meth:`Updates.staff_text` is a staff member
writing in a topic.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

import httpx
from aiohttp import web

from harness.local_site import serve

__all__ = ["STAFF_CHAT", "TOKEN", "BotApiStandIn", "Call", "Updates"]

TOKEN = "123456:TEST-token-not-real"
STAFF_CHAT = -1_009_990_001
"""The NGO's staff group: a supergroup with topics (a forum)."""
BOT_USER = {
    "id": 123456,
    "is_bot": True,
    "first_name": "Poradnyk",
    "username": "poradnyk_test_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


@dataclass
class Call:
    """One request the bot made."""

    method: str
    params: dict[str, Any]
    ok: bool = True
    at: float = field(default_factory=time.monotonic)


class Updates:
    """Builders of realistic update objects."""

    _ids = itertools.count(1000)

    @classmethod
    def _user(cls, user_id: int, language_code: str | None) -> dict[str, Any]:
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": "Test"}
        if language_code:
            user["language_code"] = language_code
        return user

    @classmethod
    def _message(
        cls, user_id: int, language_code: str | None, chat_type: str = "private", **extra: Any
    ) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": user_id, "type": chat_type}
        if chat_type != "private":
            chat = {"id": -100 - user_id, "type": chat_type, "title": "Group"}
        return {
            "message_id": next(cls._ids),
            "date": int(time.time()),
            "chat": chat,
            "from": cls._user(user_id, language_code),
            **extra,
        }

    @classmethod
    def text(
        cls, user_id: int, text: str, language_code: str | None = "uk", chat_type: str = "private"
    ) -> dict[str, Any]:
        """A text message (commands get their bot_command entity like in Telegram)."""
        extra: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            length = len(text.split(maxsplit=1)[0])
            extra["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return {"message": cls._message(user_id, language_code, chat_type, **extra)}

    @classmethod
    def edited(cls, user_id: int, text: str, language_code: str | None = "uk") -> dict[str, Any]:
        """An edited message."""
        message = cls._message(user_id, language_code, text=text, edit_date=int(time.time()))
        return {"edited_message": message}

    @classmethod
    def sticker(cls, user_id: int, language_code: str | None = "uk") -> dict[str, Any]:
        """A sticker."""
        sticker = {
            "file_id": "CAAC-sticker",
            "file_unique_id": "sticker1",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "👍",
        }
        return {"message": cls._message(user_id, language_code, sticker=sticker)}

    @classmethod
    def voice(cls, user_id: int, language_code: str | None = "uk") -> dict[str, Any]:
        """A voice message."""
        voice = {"file_id": "voice1", "file_unique_id": "v1", "duration": 3}
        return {"message": cls._message(user_id, language_code, voice=voice)}

    @classmethod
    def photo(cls, user_id: int, language_code: str | None = "uk") -> dict[str, Any]:
        """A photo."""
        photo = [{"file_id": "p1", "file_unique_id": "p1", "width": 90, "height": 90}]
        return {"message": cls._message(user_id, language_code, photo=photo)}

    @classmethod
    def location(
        cls, user_id: int, latitude: float, longitude: float, language_code: str | None = "uk"
    ) -> dict[str, Any]:
        """A shared location."""
        location = {"latitude": latitude, "longitude": longitude}
        return {"message": cls._message(user_id, language_code, location=location)}

    @classmethod
    def staff_text(
        cls,
        user_id: int,
        thread_id: int | None,
        text: str,
        chat_id: int = STAFF_CHAT,
        first_name: str = "Anna",
    ) -> dict[str, Any]:
        """A staff member writing in a topic of the forum supergroup (None: the General
        topic). Commands get their bot_command entity."""
        message: dict[str, Any] = {
            "message_id": next(cls._ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "supergroup", "title": "Staff", "is_forum": True},
            "from": {"id": user_id, "is_bot": False, "first_name": first_name},
            "text": text,
        }
        if thread_id is not None:
            message["message_thread_id"] = thread_id
            message["is_topic_message"] = True
        if text.startswith("/"):
            length = len(text.split(maxsplit=1)[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return {"message": message}

    @classmethod
    def button(
        cls,
        user_id: int,
        data: str,
        language_code: str | None = "uk",
        chat_type: str = "private",
    ) -> dict[str, Any]:
        """A pressed inline button under an earlier bot message."""
        message = cls._message(user_id, language_code, chat_type, text="…")
        message["from"] = BOT_USER
        return {
            "callback_query": {
                "id": str(next(cls._ids)),
                "from": cls._user(user_id, language_code),
                "chat_instance": "ci",
                "message": message,
                "data": data,
            }
        }


_UPDATE_IDS = itertools.count(1)


def _chat_of(update: dict[str, Any]) -> int | None:
    """The chat an update comes from (None: none, e.g. an inline query)."""
    for kind in ("message", "edited_message", "channel_post", "my_chat_member"):
        chat = (update.get(kind) or {}).get("chat")
        if chat:
            return int(chat["id"])
    callback = update.get("callback_query") or {}
    chat = (callback.get("message") or {}).get("chat") or callback.get("from")
    return int(chat["id"]) if chat else None


class BotApiStandIn:
    """An aiohttp server on 127.0.0.1 that answers Bot API methods."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._updates: deque[dict[str, Any]] = deque()
        self._new_update = asyncio.Event()
        # One bot's update ids only grow, across restarts and stand-ins (tests share a
        # database that remembers the ids it has seen, as the adapter does).
        self._update_id = _UPDATE_IDS
        self._message_id = itertools.count(1)
        self._faults: dict[str, deque[tuple[int, dict[str, Any]]]] = defaultdict(deque)
        self._chat_faults: dict[int, deque[tuple[int, dict[str, Any]]]] = defaultdict(deque)
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.webhook: dict[str, Any] | None = None
        self.deliveries: list[tuple[int, int]] = []
        """Webhook deliveries (update_id, HTTP status; 0: no answer), re-deliveries too."""
        self._chat_turns: dict[int, asyncio.Lock] = defaultdict(asyncio.Lock)  # per chat
        self.handed_out: dict[int, float] = {}  # update_id -> when getUpdates returned it
        self.pushed_at: dict[int, float] = {}  # update_id -> when the test queued it
        self.first_sent_at: dict[int, float] = {}  # chat_id -> first sendMessage received
        self.first_sent_text: dict[int, str] = {}  # chat_id -> its text
        self._first_send_waiters: dict[int, asyncio.Future[float]] = {}
        self._sent = asyncio.Condition()
        # The forum supergroup: thread id -> {"name", "closed", "deleted"}.
        self.topics: dict[int, dict[str, Any]] = {}
        self._thread_ids = itertools.count(501)
        self.members: dict[int, str] = {}
        """Staff group members: user id -> status (member, administrator, creator)."""

    @property
    def base_url(self) -> str:
        """Value for TELEGRAM_API_BASE_URL."""
        return f"http://127.0.0.1:{self.port}/bot"

    async def start(self) -> None:
        """Listen on a free port."""
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner, self.port = await serve(app)

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner:
            await self._runner.cleanup()

    # --- what tests do --------------------------------------------------------------

    def push(self, update: dict[str, Any]) -> int:
        """Queue an update for getUpdates; returns its update_id."""
        update = {"update_id": next(self._update_id), **update}
        self.pushed_at[int(update["update_id"])] = time.monotonic()
        self._updates.append(update)
        self._new_update.set()
        return int(update["update_id"])

    async def post_to_webhook(
        self,
        update: dict[str, Any],
        secret: str | None,
        url: str | None = None,
        attempts: int = 1,
        pause: float = 0.5,
    ) -> int:
        """Deliver an update to the configured webhook like Telegram does (or to ``url``,
        one replica behind the proxy); returns the last HTTP status. Like Telegram, a
        chat's updates go one at a time: each after the webhook answered the one before
        (as grammY's documentation of webhooks describes Telegram's delivery).

        With ``attempts`` > 1, an update that got no 2xx (or no answer at all: the
        connection refused or cut) is delivered again, the same update with the same
        ``update_id``, after ``pause`` seconds, as Telegram re-delivers until it gives up.
        Each try is in :attr:`deliveries`.
        """
        assert self.webhook, "the bot has not called setWebhook"
        update = {"update_id": next(self._update_id), **update}
        # Telegram sends a chat's next update only once the webhook has answered the one
        # before; other chats' updates go at the same time.
        chat = _chat_of(update)
        async with self._chat_turns[chat] if chat is not None else contextlib.nullcontext():
            return await self._post(update, secret, url, attempts, pause)

    async def _post(
        self, update: dict[str, Any], secret: str | None, url: str | None, attempts: int,
        pause: float,
    ) -> int:  # fmt: skip
        assert self.webhook
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
        status = 0
        for attempt in range(1, attempts + 1):
            try:
                async with httpx.AsyncClient(timeout=httpx.Timeout(60, connect=5)) as client:
                    response = await client.post(
                        url or self.webhook["url"], json=update, headers=headers
                    )
                status = response.status_code
            except httpx.TransportError:
                if attempt == attempts:
                    raise
                status = 0
            self.deliveries.append((int(update["update_id"]), status))
            if 200 <= status < 300:
                break
            if attempt < attempts:
                await asyncio.sleep(pause)
        return status

    async def first_send(self, chat_id: int, timeout: float) -> float | None:
        """When the first message to ``chat_id`` arrived (monotonic), or None on timeout."""
        if chat_id in self.first_sent_at:
            return self.first_sent_at[chat_id]
        waiter = self._first_send_waiters.setdefault(
            chat_id, asyncio.get_running_loop().create_future()
        )
        try:
            return await asyncio.wait_for(asyncio.shield(waiter), timeout)
        except asyncio.TimeoutError:
            return None

    def fail_next(self, method: str, status: int, times: int = 1, **params: Any) -> None:
        """Make the next ``times`` calls of ``method`` fail with ``status``."""
        for _ in range(times):
            self._faults[method].append((status, params))

    def fail_chat(self, chat_id: int, status: int, times: int = 1, **params: Any) -> None:
        """Make the next ``times`` sendMessage calls to one chat fail with ``status``."""
        for _ in range(times):
            self._chat_faults[chat_id].append((status, params))

    def sent(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """sendMessage calls (optionally to one chat), oldest first."""
        return [
            c.params
            for c in self.calls
            if c.method == "sendMessage"
            and c.ok
            and (chat_id is None or int(c.params["chat_id"]) == chat_id)
        ]

    def in_topic(self, thread_id: int, chat_id: int = STAFF_CHAT) -> list[dict[str, Any]]:
        """Messages sent or copied into a forum topic, oldest first."""
        return [
            c.params
            for c in self.calls
            if c.method in ("sendMessage", "copyMessage")
            and c.ok
            and int(c.params["chat_id"]) == chat_id
            and int(c.params.get("message_thread_id") or 0) == thread_id
        ]

    async def wait_topic(
        self, thread_id: int, count: int, timeout: float = 30.0, chat_id: int = STAFF_CHAT
    ) -> list[dict[str, Any]]:
        """Wait until ``count`` messages reached the topic; return them."""

        async def enough() -> None:
            async with self._sent:
                await self._sent.wait_for(lambda: len(self.in_topic(thread_id, chat_id)) >= count)

        try:
            await asyncio.wait_for(enough(), timeout)
        except asyncio.TimeoutError:
            got = [m.get("text", "copy") for m in self.in_topic(thread_id, chat_id)]
            raise AssertionError(f"expected {count} messages in topic {thread_id}: {got}") from None
        return self.in_topic(thread_id, chat_id)

    async def wait_topic_created(self, count: int = 1, timeout: float = 30.0) -> list[int]:
        """Wait until ``count`` forum topics exist; their thread ids, oldest first."""
        deadline = time.monotonic() + timeout
        while len(self.topics) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} forum topics, got {len(self.topics)}")
            await asyncio.sleep(0.05)
        return sorted(self.topics)

    async def wait_topic_closed(self, thread_id: int, timeout: float = 30.0) -> None:
        """Wait until the forum topic ``thread_id`` is closed."""
        deadline = time.monotonic() + timeout
        while not self.topics[thread_id].get("closed"):
            if time.monotonic() > deadline:
                raise AssertionError(f"forum topic {thread_id} was not closed")
            await asyncio.sleep(0.05)

    def calls_of(self, method: str) -> list[Call]:
        """All calls of one method."""
        return [c for c in self.calls if c.method == method]

    async def wait_sent(
        self, chat_id: int, count: int, timeout: float = 30.0
    ) -> list[dict[str, Any]]:
        """Wait until ``count`` messages were sent to ``chat_id``; return them."""

        async def enough() -> None:
            async with self._sent:
                await self._sent.wait_for(lambda: len(self.sent(chat_id)) >= count)

        try:
            await asyncio.wait_for(enough(), timeout)
        except asyncio.TimeoutError:
            got = [m.get("text", "")[:80] for m in self.sent(chat_id)]
            raise AssertionError(f"expected {count} messages to {chat_id}, got {got}") from None
        return self.sent(chat_id)

    # --- the API ----------------------------------------------------------------------

    async def _params(self, request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            return dict(await request.json())
        form = await request.post()
        params: dict[str, Any] = {}
        for key, value in form.items():
            if not isinstance(value, str):
                continue
            try:
                params[key] = json.loads(value)
            except ValueError:
                params[key] = value
        params.update(request.query)
        return params

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        if request.match_info["token"] != TOKEN:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        faults = self._faults.get(method)
        if method == "sendMessage" and self._chat_faults.get(int(params.get("chat_id", 0))):
            faults = self._chat_faults[int(params["chat_id"])]
        refused = self._topic_refusal(params)
        failing = bool(faults) or refused is not None
        call = Call(method, params, ok=not failing)
        if method != "getUpdates":
            self.calls.append(call)
        if faults:
            status, extra = faults.popleft()
            return self._error(status, extra)
        if refused is not None:
            return self._error(400, {"description": refused})
        handler = getattr(self, f"_m_{method}", None)
        result = await handler(params) if handler else True
        if method == "copyMessage":
            async with self._sent:
                self._sent.notify_all()
        if method == "sendMessage":
            chat = int(params["chat_id"])
            if chat not in self.first_sent_at:
                self.first_sent_at[chat] = call.at  # not calls[-1]: others came meanwhile
                self.first_sent_text[chat] = str(params.get("text", ""))
                waiter = self._first_send_waiters.pop(chat, None)
                if waiter is not None and not waiter.done():
                    waiter.set_result(self.calls[-1].at)
            async with self._sent:
                self._sent.notify_all()
        return web.json_response({"ok": True, "result": result})

    @staticmethod
    def _error(status: int, extra: dict[str, Any]) -> web.Response:
        body: dict[str, Any] = {"ok": False, "error_code": status}
        if status == 429:
            body["description"] = "Too Many Requests: retry after 1"
            body["parameters"] = {"retry_after": extra.get("retry_after", 1)}
        elif status == 403:
            body["description"] = "Forbidden: bot was blocked by the user"
        elif status == 400:
            body["description"] = extra.get("description", "Bad Request: message is malformed")
        else:
            body["description"] = "Internal Server Error"
        return web.json_response(body, status=status)

    async def _m_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return BOT_USER

    async def _m_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        while self._updates and self._updates[0]["update_id"] < offset:
            self._updates.popleft()
        if not self._updates:
            self._new_update.clear()
            timeout = float(params.get("timeout") or 0)
            try:
                await asyncio.wait_for(self._new_update.wait(), timeout=min(timeout, 1.0))
            except asyncio.TimeoutError:
                return []
        limit = int(params.get("limit") or 100)
        batch = [u for u in self._updates if u["update_id"] >= offset][:limit]
        now = time.monotonic()
        for u in batch:
            self.handed_out.setdefault(int(u["update_id"]), now)
        return batch

    async def _m_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": next(self._message_id),
            "date": int(time.time()),
            "chat": {"id": int(params["chat_id"]), "type": "private"},
            "from": BOT_USER,
            "text": params.get("text", ""),
        }
        if "reply_markup" in params:
            message["reply_markup"] = params["reply_markup"]
        return message

    def _topic_refusal(self, params: dict[str, Any]) -> str | None:
        """Why Telegram would refuse a send into a topic of the staff group (or None)."""
        thread = params.get("message_thread_id")
        if thread in (None, "") or int(params.get("chat_id", 0)) != STAFF_CHAT:
            return None
        topic = self.topics.get(int(thread))
        if topic is None or topic["deleted"]:
            return "Bad Request: message thread not found"
        if topic["closed"]:
            return "Bad Request: TOPIC_CLOSED"
        return None

    async def _m_copyMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"message_id": next(self._message_id)}

    async def _m_createForumTopic(self, params: dict[str, Any]) -> dict[str, Any]:
        thread = next(self._thread_ids)
        self.topics[thread] = {"name": params["name"], "closed": False, "deleted": False}
        return {"message_thread_id": thread, "name": params["name"], "icon_color": 7322096}

    async def _m_editForumTopic(self, params: dict[str, Any]) -> bool:
        self.topics[int(params["message_thread_id"])]["name"] = params.get("name")
        return True

    async def _m_closeForumTopic(self, params: dict[str, Any]) -> bool:
        self.topics[int(params["message_thread_id"])]["closed"] = True
        return True

    async def _m_reopenForumTopic(self, params: dict[str, Any]) -> bool:
        self.topics[int(params["message_thread_id"])]["closed"] = False
        return True

    async def _m_deleteForumTopic(self, params: dict[str, Any]) -> bool:
        self.topics[int(params["message_thread_id"])]["deleted"] = True
        return True

    async def _m_getChatMember(self, params: dict[str, Any]) -> dict[str, Any]:
        user_id = int(params["user_id"])
        status = (
            self.members.get(user_id, "left") if int(params["chat_id"]) == STAFF_CHAT else "left"
        )
        user = {"id": user_id, "is_bot": False, "first_name": "Someone"}
        member: dict[str, Any] = {"status": status, "user": user}
        if status == "creator":
            member["is_anonymous"] = False
        return member

    async def _m_setWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = params
        return True

    async def _m_deleteWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = None
        return True

    async def _m_getWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        url = self.webhook["url"] if self.webhook else ""
        return {"url": url, "has_custom_certificate": False, "pending_update_count": 0}
