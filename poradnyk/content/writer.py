"""Writes content files in the layout people edit by hand, atomically.

The staff console edits *documents*: plain, JSON-compatible dicts that mirror the YAML of
one item (a topic file, one organisation, one conversation text), with dates as
``YYYY-MM-DD`` strings. This module reads them from the files, renders them back as YAML
in the layout of ``content/README.md`` (two-space indentation, ``|-`` blocks for answers,
flow lists for ``helps_with``/``regions``, quoted phones), and puts them into a file:

- a topic file is rewritten whole, keeping its leading comment lines;
- an organisation or a conversation text replaces only its own block of
  ``organisations.yml`` / ``messages.yml``: every other byte of the file (comments,
  section rulers, other entries) stays as it was, so a hand edit elsewhere is never lost;
- the handoff settings (``handoff.yml``, one document for the whole file) replace only the
  blocks of the settings that changed: the comments that explain each setting stay.

Every rendering is read back and compared with the document before anything is written,
and files are replaced atomically (temporary file, fsync, rename), so the bot's hot reload
never sees half a file. Each rendering also says on which line every field starts, so the
console can put the loader's messages (which name a line) next to the right field.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from poradnyk.content.store import last_good_lock
from poradnyk.languages import LANGUAGES

__all__ = [
    "HANDOFF",
    "KINDS",
    "MESSAGE",
    "ORGANISATION",
    "TOPIC",
    "Documents",
    "Placed",
    "Rendered",
    "WriterError",
    "item_path",
    "item_text",
    "load_yaml",
    "place",
    "read_documents",
    "render_message",
    "render_organisation",
    "render_topic",
    "text_hash",
    "write_atomic",
]

TOPIC = "topic"
ORGANISATION = "organisation"
MESSAGE = "message"
HANDOFF = "handoff"
"""The handoff settings: one item (key ``handoff``), the whole of ``handoff.yml``."""
KINDS = (TOPIC, ORGANISATION, MESSAGE, HANDOFF)

Doc = dict[str, Any]

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TOPIC_KEYS = ("topic", "reviewed", "sources", "title", "answer", "more", "subscribe", "events")
_FOLLOWUP_KEYS = ("id", "button", "text", "valid_until", "reviewed", "sources")
_EVENT_KEYS = ("id", "date", "remind", "text")
_ORG_KEYS = (
    "id", "name", "helps_with", "regions", "phone", "email", "web", "address", "hours",
    "languages", "note", "source", "reviewed",
)  # fmt: skip
_LOCALIZED = {"title", "answer", "button", "text", "name", "hours", "note"}
_BLOCK_TEXTS = {"answer", "text"}  # long texts: always a |- block, as staff write them
_FLOW_LISTS = {"helps_with", "regions", "languages", "remind"}
_URL_LISTS = {"sources"}
_DATES = {"reviewed", "valid_until", "date"}
_ALWAYS_QUOTED = {"phone"}  # "+420 ..." must stay a string, never a number
_OPTIONAL_TOPIC = {"more", "events", "subscribe"}
_OPTIONAL_FOLLOWUP = {"valid_until", "reviewed", "sources"}
_OPTIONAL_ORG = {"phone", "email", "web", "address", "hours", "languages", "note"}
_HANDOFF_KEYS = (
    "staff_chat_id", "time_zone", "staff_language", "office_hours", "holidays",
    "reannounce_after_hours", "hotlines",
)  # fmt: skip


class WriterError(ValueError):
    """A document could not be written faithfully (it would not read back the same)."""


@dataclass(frozen=True)
class Rendered:
    """YAML text of one item and the line (1-based, within ``text``) where each field starts.

    Field paths look like ``answer.uk``, ``sources``, ``more.0.text.en``, ``phone``.
    """

    text: str
    fields: Mapping[str, int]


@dataclass(frozen=True)
class Placed:
    """A whole file with one item put in, and where that item's fields are in the file."""

    text: str
    start: int
    """The 1-based line where the item starts."""
    end: int
    """The 1-based line where the item ends."""
    fields: Mapping[str, int]
    """Field path -> 1-based line in the whole file."""


@dataclass(frozen=True)
class Documents:
    """Every editable item of a content folder as documents."""

    topics: dict[str, Doc]
    organisations: dict[str, Doc]
    messages: dict[str, Doc]
    handoff: Doc | None = None

    def get(self, kind: str, key: str) -> Doc | None:
        """The document of one item, or None."""
        if kind == HANDOFF:
            return self.handoff if key == HANDOFF else None
        table = {TOPIC: self.topics, ORGANISATION: self.organisations, MESSAGE: self.messages}
        return table[kind].get(key)


# --- reading -------------------------------------------------------------------------


def _plain_dates(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain_dates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_dates(v) for v in value]
    return value


def load_yaml(text: str) -> Any:
    """YAML text as JSON-compatible data (dates become ``YYYY-MM-DD`` strings)."""
    return _plain_dates(yaml.load(text, Loader=_Loader))


def item_path(content_dir: Path, kind: str, key: str) -> Path:
    """The file that holds an item."""
    if kind == TOPIC:
        return content_dir / "topics" / f"{key}.yml"
    if kind == HANDOFF:
        return content_dir / "handoff.yml"
    return content_dir / ("organisations.yml" if kind == ORGANISATION else "messages.yml")


def read_documents(
    content_dir: Path, topics: Iterable[str], fallback: Path | None = None
) -> Documents:
    """Every topic, organisation and conversation text as documents (no validation).

    A file that cannot be read as YAML (a half-finished edit by hand) is read from
    ``fallback``, a last good copy of the folder, if it has the file; else it is left out.
    """

    def read_from(folder: Path, kind: str, key: str) -> Any:
        return load_yaml(item_path(folder, kind, key).read_text(encoding="utf-8"))

    def read(kind: str, key: str) -> Any:
        try:
            return read_from(content_dir, kind, key)
        except FileNotFoundError:
            return None  # not there (a deleted file is not taken from the copy)
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            if fallback is None:
                return None
        try:
            with last_good_lock(fallback):  # not in the middle of another process's swap
                return read_from(fallback, kind, key)
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            return None

    docs: dict[str, Doc] = {}
    for name in topics:
        data = read(TOPIC, name)
        if isinstance(data, dict):
            docs[name] = data
    orgs_data = read(ORGANISATION, "")
    orgs = {
        str(o["id"]): o
        for o in (orgs_data if isinstance(orgs_data, list) else [])
        if isinstance(o, dict) and "id" in o
    }
    messages_data = read(MESSAGE, "")
    messages = {
        str(k): v
        for k, v in (messages_data.items() if isinstance(messages_data, dict) else [])
        if isinstance(v, dict)
    }
    handoff = read(HANDOFF, HANDOFF)
    return Documents(docs, orgs, messages, handoff if isinstance(handoff, dict) else None)


def text_hash(text: str | None) -> str:
    """A fingerprint of an item's text on disk (empty text for an item not there)."""
    return hashlib.sha256((text or "").encode("utf-8")).hexdigest()


# --- scalars -------------------------------------------------------------------------


def _printable(ch: str) -> bool:
    """Whether YAML allows ``ch`` unescaped, and does not read it as a line break."""
    o = ord(ch)
    return (
        ch == "\t"
        or 0x20 <= o <= 0x7E
        or 0xA0 <= o <= 0xD7FF
        or (0xE000 <= o <= 0xFFFD and o != 0xFEFF)
        or o >= 0x10000
    )


def _double_quoted(text: str) -> str:
    out = ['"']
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif _printable(ch):
            out.append(ch)
        else:
            out.append(f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}")
    out.append('"')
    return "".join(out)


def _plain_ok(text: str) -> bool:
    if not text or text != text.strip() or any(not _printable(c) or c == "\t" for c in text):
        return False
    try:
        return bool(yaml.load(f"k: {text}", Loader=_Loader) == {"k": text})
    except yaml.YAMLError:
        return False


def _scalar(value: Any, quoted: bool = False) -> str:
    if value is None:
        return '""'
    if isinstance(value, bool | int | float):
        return json.dumps(value)
    text = str(value)
    if not quoted and _plain_ok(text):
        return text
    return _double_quoted(text)


def _date(value: Any) -> str:
    text = str(value or "").strip()
    if _DATE_RE.match(text):
        try:
            dt.date.fromisoformat(text)
        except ValueError:
            pass
        else:
            return text
    return _double_quoted(text)  # not a date: the loader says so, at this line


def _block_ok(text: str) -> bool:
    return (
        bool(text)
        and text == text.rstrip()
        and not any(line[:1] in (" ", "\t") for line in text.split("\n")[:1])
        and "\n\t" not in text
        and all(_printable(c) or c == "\n" for c in text)
    )


# --- rendering -----------------------------------------------------------------------


class _Lines:
    """YAML lines being written, with the line of each field."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.fields: dict[str, int] = {}

    def mark(self, path: str) -> None:
        self.fields.setdefault(path, len(self.lines) + 1)

    def add(self, line: str) -> None:
        self.lines.append(line)

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def _order(
    present: Iterable[str], canonical: tuple[str, ...], hint: Iterable[str] = ()
) -> list[str]:
    """Keys in the order of ``hint`` (the file as it was), new ones where ``canonical`` puts
    them, unknown ones last: a changed item keeps the order its author gave it."""
    keys = list(present)
    rank = {k: i for i, k in enumerate(canonical)}
    ordered = [k for k in hint if k in keys]
    for key in sorted((k for k in keys if k not in ordered), key=lambda k: rank.get(k, 99)):
        if key not in rank:
            ordered.append(key)
            continue
        before = [i for i, k in enumerate(ordered) if rank.get(k, 99) < rank[key]]
        ordered.insert(before[-1] + 1 if before else 0, key)
    return ordered


def _localized(out: _Lines, path: str, key: str, value: Any, indent: int) -> None:
    pad = " " * indent
    out.mark(path)
    if not isinstance(value, dict):
        out.add(f"{pad}{key}: {_scalar(value)}")
        return
    out.add(f"{pad}{key}:")
    langs = [*LANGUAGES, *(k for k in value if k not in LANGUAGES)]
    for lang in langs:
        if lang not in value and lang not in LANGUAGES:
            continue
        text = value.get(lang)
        text = "" if text is None else str(text)
        out.mark(f"{path}.{lang}")
        if key in _BLOCK_TEXTS and _block_ok(text):
            out.add(f"{pad}  {lang}: |-")
            inner = " " * (indent + 4)
            for line in text.split("\n"):
                out.add(f"{inner}{line}" if line else "")
        else:
            out.add(f"{pad}  {lang}: {_scalar(text, quoted=key == 'message')}")


def _field(out: _Lines, path: str, key: str, value: Any, indent: int) -> None:
    pad = " " * indent
    if key in _LOCALIZED:
        _localized(out, path, key, value, indent)
        return
    out.mark(path)
    if key in _DATES:
        out.add(f"{pad}{key}: {_date(value)}")
    elif key in _FLOW_LISTS and isinstance(value, list):
        out.add(f"{pad}{key}: [{', '.join(_scalar(v) for v in value)}]")
    elif key in _URL_LISTS and isinstance(value, list):
        out.add(f"{pad}{key}:" if value else f"{pad}{key}: []")
        for url in value:
            out.add(f"{pad}  - {_scalar(url)}")
    elif isinstance(value, dict | list):
        dumped = yaml.safe_dump({key: value}, allow_unicode=True, sort_keys=False, width=10**6)
        for line in dumped.rstrip("\n").split("\n"):
            out.add(pad + line)
    else:
        out.add(f"{pad}{key}: {_scalar(value, quoted=key in _ALWAYS_QUOTED)}")


def _empty(value: Any) -> bool:
    return value is None or value in ("", [], {})


def _emit_mapping(
    out: _Lines,
    doc: Doc,
    canonical: tuple[str, ...],
    optional: set[str],
    hint: Iterable[str],
    prefix: str,
    indent: int,
    first: str = "",
) -> None:
    keys = _order((k for k in doc if not (k in optional and _empty(doc[k]))), canonical, hint)
    for i, key in enumerate(keys):
        pad_len = indent
        path = f"{prefix}{key}"
        if i == 0 and first:
            start = len(out.lines)
            _field(out, path, key, doc[key], indent)
            out.lines[start] = first + out.lines[start][indent:]
            continue
        _field(out, path, key, doc[key], pad_len)


def _hint(order: Doc | None) -> list[str]:
    return list(order) if isinstance(order, dict) else []


def render_topic(doc: Doc, header: str = "", order: Doc | None = None) -> Rendered:
    """A topic file: ``header`` (comment lines kept from the file), then the document.

    ``order`` is the document as it is on disk: its key order is kept.
    """
    out = _Lines()
    for line in header.splitlines():
        out.add(line)
    lists = {"more": _FOLLOWUP_KEYS, "events": _EVENT_KEYS}
    hint = _hint(order)
    keys = _order(
        (k for k in doc if not (k in _OPTIONAL_TOPIC and _empty(doc[k]))), _TOPIC_KEYS, hint
    )
    for key in keys:
        items = doc[key]
        if key not in lists or not isinstance(items, list):
            _field(out, key, key, items, 0)
            continue
        old = {str(m.get("id")): m for m in ((order or {}).get(key) or []) if isinstance(m, dict)}
        optional = _OPTIONAL_FOLLOWUP if key == "more" else set()
        out.mark(key)
        out.add(f"{key}:")
        for n, item in enumerate(items):
            out.mark(f"{key}.{n}")
            if not isinstance(item, dict) or not item:
                out.add(f"  - {_scalar(item)}")
                continue
            _emit_mapping(
                out,
                item,
                lists[key],
                optional,
                _hint(old.get(str(item.get("id")))),
                f"{key}.{n}.",
                4,
                first="  - ",
            )
    rendered = Rendered(out.text(), out.fields)
    _verify(rendered.text, _expected_topic(doc))
    return rendered


def render_organisation(doc: Doc, order: Doc | None = None) -> Rendered:
    """One organisation as a ``- id:`` block of ``organisations.yml``."""
    out = _Lines()
    _emit_mapping(out, doc, _ORG_KEYS, _OPTIONAL_ORG, _hint(order), "", 2, first="- ")
    rendered = Rendered(out.text(), out.fields)
    _verify(rendered.text, [_drop_empty(doc, _OPTIONAL_ORG)])
    return rendered


def render_message(key: str, doc: Doc) -> Rendered:
    """One conversation text as a block of ``messages.yml`` (texts in double quotes)."""
    out = _Lines()
    out.mark("")
    _localized(out, "", "message", doc, 0)
    out.lines[0] = f"{_scalar(key)}:"
    fields = {k.lstrip("."): v for k, v in out.fields.items()}
    rendered = Rendered(out.text(), fields)
    texts = {**dict.fromkeys(LANGUAGES, ""), **doc}
    _verify(rendered.text, {key: {k: "" if v is None else str(v) for k, v in texts.items()}})
    return rendered


# --- verification ----------------------------------------------------------------------


def _drop_empty(doc: Doc, optional: set[str]) -> Doc:
    return {k: v for k, v in doc.items() if not (k in optional and _empty(v))}


def _expected_topic(doc: Doc) -> Doc:
    expected = _drop_empty(doc, _OPTIONAL_TOPIC)
    if isinstance(expected.get("more"), list):
        expected["more"] = [
            _drop_empty(m, _OPTIONAL_FOLLOWUP) if isinstance(m, dict) else m
            for m in expected["more"]
        ]
    return expected


def _normal(value: Any, key: str = "") -> Any:
    """What a rendered value reads back as (texts are strings; dates read as text)."""
    if isinstance(value, dict):
        if key in _LOCALIZED:
            value = {**dict.fromkeys(LANGUAGES, ""), **value}
        return {str(k): _normal(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_normal(v) for v in value]
    if value is None and key in LANGUAGES:
        return ""
    if key in _DATES:
        return str(value or "").strip()
    return value


def _verify(text: str, expected: Any) -> None:
    try:
        loaded = load_yaml(text)
    except yaml.YAMLError as exc:
        raise WriterError(f"the rendered YAML does not parse: {exc}") from exc
    if _normal(loaded) != _normal(expected):
        raise WriterError("the rendered YAML does not read back as the document")


# --- placing an item into its file -----------------------------------------------------


def _header(text: str) -> str:
    """The leading comment (and blank) lines of a file."""
    kept: list[str] = []
    for line in text.splitlines():
        if line.startswith("#") or (not line.strip() and kept):
            kept.append(line)
            continue
        break
    while kept and not kept[-1].strip():
        kept.pop()
    return "\n".join(kept)


def _spans(text: str, kind: str) -> dict[str, tuple[int, int]]:
    """Item key -> (first line, line after the last), 0-based, without the blank and comment
    lines that follow an entry (they belong to what comes next)."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise _unreadable() from exc  # where each item starts is read from it
    lines = text.split("\n")
    starts: list[tuple[str, int]] = []
    if kind == ORGANISATION and isinstance(root, yaml.SequenceNode):
        for node in root.value:
            key = ""
            if isinstance(node, yaml.MappingNode):
                for k, v in node.value:
                    if k.value == "id" and isinstance(v, yaml.ScalarNode):
                        key = str(v.value)
            starts.append((key, node.start_mark.line))
    elif kind == MESSAGE and isinstance(root, yaml.MappingNode):
        starts = [(str(k.value), k.start_mark.line) for k, _ in root.value]
    spans: dict[str, tuple[int, int]] = {}
    for i, (key, start) in enumerate(starts):
        end = starts[i + 1][1] if i + 1 < len(starts) else len(lines)
        while end > start + 1 and (
            not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")
        ):
            end -= 1
        if key and key not in spans:
            spans[key] = (start, end)
    return spans


def item_text(file_text: str, kind: str, key: str) -> str | None:
    """The exact text of one item in its file (a whole topic file), or None if absent."""
    if kind in (TOPIC, HANDOFF):
        return file_text
    span = _spans(file_text, kind).get(key)
    if span is None:
        return None
    return "\n".join(file_text.split("\n")[span[0] : span[1]])


def _unreadable() -> WriterError:
    return WriterError("the file is not valid YAML; correct it in the file first")


def _readable_yaml(text: str) -> Any:
    """The data of an item's file, which the new text follows; a half-finished edit made
    by hand is corrected in the file first (writing over it would lose it unseen)."""
    try:
        return load_yaml(text)
    except yaml.YAMLError as exc:
        raise _unreadable() from exc


def place(file_text: str | None, kind: str, key: str, doc: Doc) -> Placed:
    """The file with the item ``key`` replaced by (or, if new, appended as) ``doc``."""
    if kind == HANDOFF:
        return _place_handoff(file_text or "", doc)
    if kind == TOPIC:
        order = _readable_yaml(file_text) if file_text else None
        rendered = render_topic(
            doc, _header(file_text or ""), order if isinstance(order, dict) else None
        )
        return Placed(rendered.text, 1, rendered.text.count("\n"), dict(rendered.fields))
    text = file_text or ""
    spans = _spans(text, kind) if text.strip() else {}
    span = spans.get(key)
    old = _readable_yaml(item_text(text, kind, key) or "") if span else None
    if kind == ORGANISATION:
        old_doc = old[0] if isinstance(old, list) and old else None
        rendered = render_organisation(doc, old_doc if isinstance(old_doc, dict) else None)
    else:
        rendered = render_message(key, doc)
    lines = text.split("\n")
    block = rendered.text.rstrip("\n").split("\n")
    if span is None:
        while lines and not lines[-1].strip():
            lines.pop()
        start = len(lines) + (1 if lines else 0)
        new_lines = [*lines, *([""] if lines else []), *block, ""]
    else:
        start = span[0]
        new_lines = [*lines[: span[0]], *block, *lines[span[1] :]]
    fields = {path: start + line for path, line in rendered.fields.items()}
    return Placed("\n".join(new_lines), start + 1, start + len(block), fields)


def _hours(value: Any) -> str:
    text = "closed" if value is None else str(value)
    # Quoted: YAML 1.1 could read some times (like 09:00) as numbers.
    return "closed" if text == "closed" else _double_quoted(text)


def _handoff_block(key: str, value: Any) -> list[str]:
    """One setting of ``handoff.yml`` in the layout of the file."""
    if key == "office_hours" and isinstance(value, dict):
        return [f"{key}:", *(f"  {_scalar(day)}: {_hours(v)}" for day, v in value.items())]
    if key in ("holidays", "hotlines") and isinstance(value, list):
        item = _date if key == "holidays" else _scalar
        return [f"{key}:", *(f"  - {item(v)}" for v in value)] if value else [f"{key}: []"]
    if value is None:
        return [f"{key}: ~"]
    if isinstance(value, dict | list):
        dumped = yaml.safe_dump({key: value}, allow_unicode=True, sort_keys=False, width=10**6)
        return dumped.rstrip("\n").split("\n")
    return [f"{key}: {_scalar(value)}"]


def _handoff_fields(text: str) -> dict[str, int]:
    """Setting (and ``office_hours.<day>``) -> its 1-based line."""
    root = yaml.compose(text, Loader=_Loader)
    fields: dict[str, int] = {}
    if not isinstance(root, yaml.MappingNode):
        return fields
    for key_node, value_node in root.value:
        key = str(key_node.value)
        fields.setdefault(key, key_node.start_mark.line + 1)
        if key == "office_hours" and isinstance(value_node, yaml.MappingNode):
            for day, _ in value_node.value:
                fields.setdefault(f"{key}.{day.value}", day.start_mark.line + 1)
    return fields


def _place_handoff(text: str, doc: Doc) -> Placed:
    """``handoff.yml`` with the settings of ``doc``: a setting that did not change keeps its
    bytes, a changed one is rewritten in place (its comment above stays), a new one goes at
    the end; a setting not in ``doc`` is dropped."""
    lines = text.split("\n") if text else [""]
    spans = _spans(text, MESSAGE) if text.strip() else {}
    out: list[str] = []
    pos = 0
    for key, (start, end) in sorted(spans.items(), key=lambda kv: kv[1][0]):
        out += lines[pos:start]
        pos = end
        if key not in doc:
            continue
        block = lines[start:end]
        old = load_yaml("\n".join(block))
        same = isinstance(old, dict) and _normal(old.get(key)) == _normal(doc[key])
        out += block if same else _handoff_block(key, doc[key])
    out += lines[pos:]
    while out and not out[-1].strip():
        out.pop()
    for key in _order((k for k in doc if k not in spans), _HANDOFF_KEYS):
        out += _handoff_block(key, doc[key])
    new_text = "\n".join(out) + "\n"
    _verify(new_text, doc)
    return Placed(new_text, 1, new_text.count("\n"), _handoff_fields(new_text))


def write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` so that a reader sees the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    # Not *.yml: the bot's hot reload must never pick up the temporary file.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
