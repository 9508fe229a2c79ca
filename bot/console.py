"""Console chat: the same pipeline as Telegram (language -> Rasa -> actions -> rendering).

Buttons are shown as numbered choices; type the number to press one. Commands work as
in Telegram (/start, /menu, /language, /contacts, /help, /privacy, /forget).
"""

from __future__ import annotations

import asyncio
import logging
import sys
from typing import TextIO

import httpx

from bot.conversation import Conversation
from bot.rasa_client import default_timeout
from bot.services import build_conversation
from bot.settings import Settings
from poradnyk.compose import Button, Reply

__all__ = ["render_for_console", "run_console"]

logger = logging.getLogger(__name__)

CONSOLE_USER_ID = 0


def render_for_console(replies: list[Reply]) -> tuple[str, list[Button]]:
    """Plain text of the replies, with all their buttons numbered from 1."""
    lines: list[str] = []
    buttons: list[Button] = []
    for reply in replies:
        lines.append(reply.text.replace("**", ""))
        for button in reply.buttons:
            buttons.append(button)
            lines.append(f"  {len(buttons)}) {button.title}")
        lines.append("")
    return "\n".join(lines), buttons


async def _read_line(stream: TextIO) -> str | None:
    line = await asyncio.to_thread(stream.readline)
    return line if line else None


async def chat(conversation: Conversation, stdin: TextIO, stdout: TextIO) -> None:
    """Read lines until end of input; answer each like the Telegram adapter would."""
    buttons: list[Button] = []
    replies = await conversation.command(CONSOLE_USER_ID, "start", None)
    while True:
        text, buttons = render_for_console(replies)
        stdout.write(text + "\n> ")
        stdout.flush()
        line = await _read_line(stdin)
        if line is None:
            return
        line = line.strip()
        if not line:
            replies = []
            continue
        if line.isdigit() and 1 <= int(line) <= len(buttons):
            replies = await conversation.on_button(
                CONSOLE_USER_ID, buttons[int(line) - 1].payload, None
            )
        elif line.startswith("/"):
            replies = await conversation.command(CONSOLE_USER_ID, line[1:].split()[0].lower(), None)
        else:
            replies = await conversation.on_text(CONSOLE_USER_ID, line, None)


async def run_console(
    settings: Settings, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout
) -> None:
    """Start the console chat once Rasa is ready."""
    async with httpx.AsyncClient(timeout=default_timeout(settings.rasa_timeout)) as http:
        conversation = await build_conversation(settings, http)
        logger.info("Waiting for Rasa at %s ...", settings.rasa_url)
        if not await conversation.warm_up(timeout=180):
            logger.warning("Rasa did not start; answers come from content only")
        try:
            await chat(conversation, stdin, stdout)
        finally:
            await conversation.close()
            conversation.store.close()
