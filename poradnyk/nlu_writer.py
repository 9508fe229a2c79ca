"""Adds a training example to ``nlu_data/topics/<topic>.yml``, keeping the file's layout.

The files are hand-formatted YAML (``- intent: x`` / ``examples: |`` / ``    - text``), so
the example is inserted as one line after the topic's last example instead of loading and
dumping the YAML (which would re-flow every line staff and reviewers know). The new
model is trained by ``./run`` (it retrains whenever the training data changed).
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

__all__ = ["NluWriteError", "add_example", "clean_example", "has_example"]

_INTENT = re.compile(r"^- intent: *(?P<name>\S+) *$")
_EXAMPLE = re.compile(r"^(?P<indent> +)- (?P<text>.*)$")


class NluWriteError(ValueError):
    """The example cannot be written (no such topic file, or not an example)."""


def clean_example(text: str) -> str:
    """One line, single spaces, nothing Rasa would read as entity markup."""
    line = " ".join(text.split())
    # "[x](entity)" and "[x]{...}" are Rasa's annotations: a mask must stay plain text.
    return line.replace("](", "] (").replace("]{", "] {").replace("][", "] [")


def _topic_file(nlu_dir: Path, topic: str) -> Path:
    if not re.fullmatch(r"[a-z_]{2,40}", topic):
        raise NluWriteError(f"not a topic name: {topic}")
    path = nlu_dir / "topics" / f"{topic}.yml"
    if not path.is_file():
        raise NluWriteError(f"no training file for {topic}")
    return path


def has_example(nlu_dir: Path, topic: str, text: str) -> bool:
    """Whether the topic already has this example (case and spacing aside)."""
    wanted = clean_example(text).casefold()
    lines = _topic_file(nlu_dir, topic).read_text(encoding="utf-8").splitlines()
    return any(
        (m := _EXAMPLE.match(line)) is not None and m.group("text").casefold() == wanted
        for line in lines
    )


def add_example(nlu_dir: Path, topic: str, text: str) -> bool:
    """Append ``text`` to the examples of ``topic``; False if it was there already."""
    example = clean_example(text)
    if not example or example.startswith(("-", "#", "|", ">")):
        raise NluWriteError("an example needs words")
    path = _topic_file(nlu_dir, topic)
    if has_example(nlu_dir, topic, example):
        return False
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    in_topic, last, indent = False, None, "    "
    for i, line in enumerate(lines):
        intent = _INTENT.match(line.rstrip("\n"))
        if intent is not None:
            in_topic = intent.group("name") == topic
            continue
        found = _EXAMPLE.match(line.rstrip("\n"))
        if in_topic and found is not None:
            last, indent = i, found.group("indent")
    if last is None:
        raise NluWriteError(f"no examples of {topic} in {path.name}")
    if not lines[last].endswith("\n"):
        lines[last] += "\n"
    lines.insert(last + 1, f"{indent}- {example}\n")
    # Written whole to a temporary file, then renamed: Rasa never reads half a file.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.writelines(lines)
    os.chmod(tmp, path.stat().st_mode & 0o777)
    os.replace(tmp, path)
    return True
