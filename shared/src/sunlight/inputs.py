"""Text no service may store is refused at the edge: control characters, in any part of a request.

A NUL in a string is refused by PostgreSQL (asyncpg raises, a 500), stored as-is by SQLite and
then published; an unpaired surrogate (``"\\ud800"`` in JSON) cannot be encoded at all; the other
control characters are invisible in a register, corrupt logs and CSV exports, and are never part of
a name, reference or code. So every service (and the gateway's own routes) answers 422
``…/control-character`` before any handler runs, with the JSON pointer of each offending value,
the same on both backends.

Refused (``FORBIDDEN``): C0 controls except tab, line feed and carriage return (which free text
may hold), DEL, the C1 controls U+0080–U+009F, unpaired surrogates, and the noncharacters U+FFFE
and U+FFFF (a byte-swapped BOM; never text). In the request line and headers — identifiers and
filters, never free text — tab, line feed and carriage return are refused as well. Other
noncharacters (U+FDD0…, U+nFFFE) are valid scalar values both backends store; they pass.

``InputGuard`` is a pure ASGI middleware installed by ``sunlight.app.create_service_app`` and by the
gateway. On the hot path it costs one compiled regular expression over the path, the query
string, each header value and each body chunk as it streams by (no copy of the body is kept
beyond what the app itself reads, and none after the last chunk). Bodies are checked by media
type: JSON (``application/json``, ``*+json``, or no content type, which FastAPI reads as JSON)
and NDJSON for escapes (``\\u0000``, ``\\b``, lone surrogates…) and raw bytes; form bodies for
percent-escapes; ``text/*`` for raw bytes. Other media (multipart, binary) pass unchecked. The
byte-level checks are exact for well-formed input, so a hit is always refused; only then is the
body parsed (up to ``POINTER_LIMIT`` bytes) to name the field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sunlight.errors import ControlCharacter, problem_response

# characters no free text holds (tab, line feed and carriage return are allowed in free text)
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# the same, and no tab, line feed or carriage return either (path, query, identifiers)
FORBIDDEN_STRICT = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

POINTER_LIMIT = 1024 * 1024  # bytes of body parsed to name the offending fields
MAX_REPORTED = 20  # pointers listed in one answer

DESCRIPTION = (
    "control characters (U+0000–U+001F except tab, line feed and carriage return in free text, "
    "U+007F–U+009F), unpaired surrogates and U+FFFE/U+FFFF are not accepted"
)

# Bodies are scanned in two steps. First, at C speed, every byte that cannot start a forbidden
# character is dropped (``bytes.translate``, ~1 ms a MiB); text without a backslash or one of these
# bytes stops there. Then the exact patterns (~20 ms a MiB of ``\uXXXX``-escaped CJK, the worst case).
_C0 = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_LEADS = b"\xc2\xef\xed"  # lead bytes of U+0080–U+009F, U+FFFE/U+FFFF, and (invalid UTF-8) surrogates
_KEEP_JSON = _C0 + _LEADS + b"\\"
_DROP_JSON = bytes(sorted(set(range(256)) - set(_KEEP_JSON)))
_DROP_TEXT = bytes(sorted(set(range(256)) - set(_C0 + _LEADS)))
_RAW_C0 = re.compile(b"[" + re.escape(_C0) + b"]")
_RAW_MULTIBYTE = (
    (b"\xc2", re.compile(rb"\xc2[\x80-\x9f]")),
    (b"\xef", re.compile(rb"\xef\xbf[\xbe\xbf]")),
    (b"\xed", re.compile(rb"\xed[\xa0-\xbf]")),
)
_ESCAPE_U = re.compile(rb"\\u(?i:00[01][0-9a-f]|007f|00[89][0-9a-f]|fff[ef]|d[89a-f][0-9a-f]{2})")
_ESCAPE_BF = re.compile(rb"\\[bf]")
_HIGH_SURROGATE = re.compile(rb"\\u(?i:d[89ab][0-9a-f]{2})")
_LOW_SURROGATE = re.compile(rb"\\u(?i:d[c-f][0-9a-f]{2})")
# Starlette reads raw bytes of form bodies and query strings as latin-1 (so a raw byte 0x80–0x9F is a C1
# control to the app) and percent-escapes as UTF-8
_FORM = re.compile(
    rb"(?i)%(?:0[0-8bcef]|1[0-9a-f]|7f|c2%[89][0-9a-f]|ef%bf%b[ef])|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
)
_QUERY = re.compile(rb"(?i)%(?:[01][0-9a-f]|7f|c2%[89][0-9a-f]|ef%bf%b[ef])|[\x00-\x1f\x7f-\x9f]")
_HEADER = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")  # header values are latin-1 bytes: C0 and DEL only

_JSON_TYPES = ("application/json",)
_NDJSON_TYPES = ("application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines")
_FORM_TYPES = ("application/x-www-form-urlencoded",)
_MARGIN = 12  # bytes an escape (and the low surrogate after a high one) can reach past its start


def forbidden(text: str, *, free_text: bool = True) -> bool:
    """Whether ``text`` holds a character refused at the edge."""
    return (FORBIDDEN if free_text else FORBIDDEN_STRICT).search(text) is not None


def body_kind(headers: list[tuple[bytes, bytes]]) -> str | None:
    """How a body of this content type is checked: json, ndjson, form, text, or not at all (None)."""
    content_type = next((v for k, v in headers if k == b"content-type"), None)
    if content_type is None:
        return "json"  # FastAPI reads a body without a content type as JSON
    media = content_type.split(b";", 1)[0].strip().lower().decode("latin-1")
    if media in _JSON_TYPES or media.endswith("+json"):
        return "json"
    if media in _NDJSON_TYPES:
        return "ndjson"
    if media in _FORM_TYPES:
        return "form"
    if media.startswith("text/"):
        return "text"
    return None


class Scanner:
    """Finds the first forbidden character in a body fed chunk by chunk (``feed`` → its offset or None).

    For JSON a candidate escape is checked where it stands: the backslashes before it must be odd in
    number (``\\\\u0000`` is a backslash and the text ``u0000``), ``\\u0009``/``\\u000a``/``\\u000d``
    are allowed, and a high surrogate followed by a low one is a valid pair. A few bytes are carried
    over to the next chunk so that nothing is split at a chunk boundary.
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.json = kind in ("json", "ndjson")
        self.carry = b""
        self.offset = 0  # absolute offset of carry[0]
        self.skip = 0  # a low surrogate starting before this offset (of the next buffer) ends a pair

    def feed(self, chunk: bytes, final: bool) -> int | None:
        buf = self.carry + chunk if self.carry else chunk
        cut = len(buf) if final else max(0, len(buf) - _MARGIN)
        while 0 < cut < len(buf) and buf[cut - 1] == 0x5C:  # never split a run of backslashes
            cut -= 1
        skip, self.skip = self.skip, 0
        found = self._find(buf, cut, skip, final)
        self.skip = max(0, max(self.skip, skip) - cut)  # a pending pair's low half may still be ahead
        self.carry, self.offset = buf[cut:], self.offset + cut
        if len(self.carry) > 4 * _MARGIN and self.carry[:2] == b"\\\\":  # a long run of backslashes
            run = len(self.carry) - len(self.carry.lstrip(b"\\"))
            drop = (run - 2) // 2 * 2  # keep its parity
            self.carry, self.offset = self.carry[drop:], self.offset + drop
        return None if found is None else self.offset - cut + found

    def _find(self, buf: bytes, cut: int, skip: int, final: bool) -> int | None:
        """The offset in ``buf`` of the first forbidden character starting before ``cut``."""
        if self.kind == "form":
            match = _FORM.search(buf)
            return match.start() if match is not None and match.start() < cut else None
        residue = buf.translate(None, _DROP_JSON if self.json else _DROP_TEXT)
        if not residue:
            return None
        hits: list[int] = []
        if residue.translate(None, _LEADS + b"\\"):  # a raw control character
            match = _RAW_C0.search(buf)
            if match is not None and match.start() < cut:
                hits.append(match.start())
        for lead, pattern in _RAW_MULTIBYTE:  # the lead byte of one
            if lead in residue:
                match = pattern.search(buf)
                if match is not None and match.start() < cut:
                    hits.append(match.start())
        if self.json and b"\\" in residue:
            hits += [m.start() for m in _ESCAPE_BF.finditer(buf, 0, cut + 1) if _escapes(buf, m.start())]
            for match in _ESCAPE_U.finditer(buf, 0, cut + 5):
                start = match.start()
                if start >= cut or not _escapes(buf, start):
                    continue
                code = int(buf[start + 2 : start + 6], 16)
                if code in (0x09, 0x0A, 0x0D):
                    continue
                if 0xD800 <= code <= 0xDBFF and _LOW_SURROGATE.match(buf, start + 6):
                    self.skip = max(self.skip, start + 12)  # its low half may be carried over
                    continue
                if 0xDC00 <= code <= 0xDFFF and (start < skip or _paired(buf, start)):
                    continue
                hits.append(start)
                break
        return min(hits) if hits else None


def _escapes(buf: bytes, start: int) -> bool:
    """Whether the backslash at ``start`` begins an escape (an even number of backslashes before it)."""
    j = start
    while j > 0 and buf[j - 1] == 0x5C:
        j -= 1
    return (start - j) % 2 == 0


def _paired(buf: bytes, start: int) -> bool:
    """Whether the low surrogate escape at ``start`` follows a high one."""
    return start >= 6 and _HIGH_SURROGATE.match(buf, start - 6) is not None and _escapes(buf, start - 6)


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def pointers_in(document: Any, base: str, *, free_text: bool = True) -> Iterator[str]:
    """JSON pointers (under ``base``) of every string in ``document`` holding a forbidden character.

    A member name that holds one is reported at its object. Iterative: documents may nest deeply.
    """
    check = FORBIDDEN if free_text else FORBIDDEN_STRICT
    stack: list[tuple[str, Any]] = [(base, document)]
    while stack:
        pointer, value = stack.pop()
        if isinstance(value, str):
            if check.search(value):
                yield pointer
        elif isinstance(value, dict):
            if any(check.search(k) for k in value):
                yield pointer
            stack.extend((f"{pointer}/{_escape(k)}", v) for k, v in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend((f"{pointer}/{i}", v) for i, v in reversed(list(enumerate(value))))


def _json_or_none(text: str | bytes) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def body_pointers(kind: str, body: bytes) -> list[str]:
    """The fields of a whole body that hold a forbidden character (FastAPI's ``/body/...`` pointers)."""
    found: list[str] = []
    if kind == "json":
        document = _json_or_none(body)
        if document is not None:
            found = list(pointers_in(document, "/body"))
    elif kind == "ndjson":
        lines = (line for line in body.splitlines() if line.strip())
        for index, line in enumerate(lines):
            found += pointers_in(_json_or_none(line), f"/body/{index}")
            if len(found) >= MAX_REPORTED:
                break
    elif kind == "form":
        pairs = parse_qsl(body.decode("latin-1"), keep_blank_values=True, encoding="utf-8", errors="replace")
        found = [f"/body/{_escape(k)}" for k, v in pairs if forbidden(k + v)]
    return found[:MAX_REPORTED] or ["/body"]


def head_pointers(scope: Scope) -> list[str]:
    """Pointers of the path, query parameters and headers holding a forbidden character."""
    found: list[str] = []
    path = scope.get("path", "")
    if FORBIDDEN_STRICT.search(path):
        found += _path_pointers(scope) or ["/path"]
    query = scope.get("query_string", b"")
    if query and _QUERY.search(query):
        pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True, encoding="utf-8", errors="replace")
        named = [f"/query/{_escape(k)}" for k, v in pairs if forbidden(k + v, free_text=False)]
        found += named or ["/query"]
    for name, value in scope.get("headers", ()):
        if _HEADER.search(value):
            found.append(f"/header/{_escape(name.decode('latin-1').lower())}")
    return found[:MAX_REPORTED]


def _path_pointers(scope: Scope) -> list[str]:
    """The path parameters holding a forbidden character (FastAPI's ``/path/...``), read off the app's
    OpenAPI paths (the slow path only: the request is refused whatever this finds)."""
    openapi = getattr(scope.get("app"), "openapi", None)
    try:
        paths = openapi()["paths"] if callable(openapi) else {}
    except Exception:  # naming the field is a courtesy; the refusal stands without it
        return []
    path = scope.get("path", "")
    for template in paths:
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
        match = re.fullmatch(pattern, path)
        if match:
            return [f"/path/{_escape(k)}" for k, v in match.groupdict().items() if forbidden(v, free_text=False)]
    return []


def refusal(pointers: list[str]) -> ControlCharacter:
    errors = [{"pointer": p, "field": p.rsplit("/", 1)[-1], "message": DESCRIPTION} for p in pointers]
    return ControlCharacter(f"{pointers[0]}: {DESCRIPTION}", errors=errors)


class _BodyGuard:
    """Wraps ``receive``: scans each chunk; on a forbidden character, names it and raises the refusal."""

    def __init__(self, kind: str, receive: Receive, limit: int) -> None:
        self.kind = kind
        self.upstream = receive
        self.limit = limit
        self.scanner = Scanner(kind)
        self.chunks: list[bytes] = []  # the same objects the app reads (no copy), dropped at the end
        self.size = 0
        self.problem: ControlCharacter | None = None

    async def receive(self) -> Message:
        if self.problem is not None:
            raise self.problem
        message = await self.upstream()
        if message["type"] != "http.request":
            return message
        chunk: bytes = message.get("body", b"")
        more = bool(message.get("more_body", False))
        if self.size <= self.limit:
            self.chunks.append(chunk)
        self.size += len(chunk)
        offset = self.scanner.feed(chunk, final=not more)
        if offset is None:
            if not more:
                self.chunks = []
            return message
        self.problem = await self._refuse(offset, more)
        self.chunks = []
        raise self.problem

    async def _refuse(self, offset: int, more: bool) -> ControlCharacter:
        while more and self.size <= self.limit:  # read the rest (within the limit) to name the fields
            message = await self.upstream()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            self.chunks.append(chunk)
            self.size += len(chunk)
            more = bool(message.get("more_body", False))
        if more or self.size > self.limit:
            problem = refusal(["/body"])
            problem.extensions["offset"] = offset
            return problem
        return refusal(body_pointers(self.kind, b"".join(self.chunks)))


class InputGuard:
    """Pure ASGI middleware: refuse control characters in the path, query, headers and body (422)."""

    def __init__(self, app: ASGIApp, *, pointer_limit: int = POINTER_LIMIT) -> None:
        self.app = app
        self.pointer_limit = pointer_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        pointers = head_pointers(scope)
        if pointers:
            await problem_response(refusal(pointers), scope.get("path"))(scope, receive, send)
            return
        kind = body_kind(scope["headers"])
        if kind is None:
            await self.app(scope, receive, send)
            return
        guard = _BodyGuard(kind, receive, self.pointer_limit)
        started = False

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if guard.problem is not None and not started:
                return  # the app's answer to the refused body is replaced by the refusal
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, guard.receive, guarded_send)
        except Exception:
            if guard.problem is None or started:
                raise
        if guard.problem is not None and not started:
            await problem_response(guard.problem, scope.get("path"))(scope, receive, send)
