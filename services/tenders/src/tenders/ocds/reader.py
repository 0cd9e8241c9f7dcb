"""Stream OCDS 1.0/1.1 data out of a file or body without holding it whole.

Accepted shapes (the first top-level value decides, as ``ocdskit``'s ``detect_format`` does):

- a **release package** (``{"releases": [...]}``) — releases stream one by one (``releases.item``);
- a **record package** (``{"records": [...]}``) — records stream one by one;
- several packages **concatenated** (whitespace-separated JSON texts, e.g. ``release-package_split``);
- **bare** releases, compiled releases, versioned releases or records, one or many (JSON Lines too);
- a JSON **array** of any of those.

Package metadata (``version``, ``uri``, ``publishedDate``, ``publisher.name``, ``extensions``) is
taken from the first package's members that come before its ``releases``/``records`` (where the
schema puts them; members after the items are not read — that would mean a second pass). Import
does not depend on the version: OCDS 1.0 and 1.1 data merge with the same 1.1 rules.

Encoding (decided): JSON is UTF-8 (RFC 8259 §8.1), so a body that is not UTF-8 is **refused** with
:class:`NotUtf8Error` naming the byte offset — nothing is guessed. A caller that knows the
encoding passes ``encoding="iso-8859-1"`` (the API can take it as a parameter) and the bytes are
transcoded to UTF-8 as they stream. A UTF-8 byte-order mark is skipped.

Memory: ijson (yajl2 C backend) builds one release/record at a time; a non-seekable stream is
spooled to a temporary file first (kept in memory up to 8 MiB), because the format is sniffed
before the items are read.
"""

from __future__ import annotations

import codecs
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import IO, Any, Literal

import ijson

Kind = Literal["release", "record", "versioned"]
SPOOL_BYTES = 8 * 1024 * 1024
BOM = codecs.BOM_UTF8


class OcdsImportError(ValueError):
    """The input cannot be read as OCDS; ``slug`` is the stable problem type for the API."""

    slug = "ocds-invalid"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotUtf8Error(OcdsImportError):
    slug = "ocds-not-utf8"


class MalformedJsonError(OcdsImportError):
    slug = "ocds-malformed-json"


class UnknownFormatError(OcdsImportError):
    slug = "ocds-unknown-format"


@dataclass(frozen=True)
class Progress:
    items: int  # releases/records read so far
    bytes_read: int  # bytes of the input consumed so far


@dataclass(frozen=True)
class Item:
    kind: Kind
    data: dict[str, Any]


@dataclass
class Package:
    """What the input turned out to be, and the first package's metadata."""

    shape: str = ""  # "release package", "record package", "values" or "array"
    version: str | None = None  # None: not declared before the items (the standard reads a package with none as 1.0)
    uri: str | None = None
    published_date: str | None = None
    publisher_name: str | None = None
    extensions: list[str] = field(default_factory=list)


# OCDS releases nest about eight levels deep, extensions a few more; far deeper is an attack: ijson's prefixes
# ("item.item.…") grow with the depth, so memory would grow with its square
MAX_DEPTH = 100

_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b'[]{}"')  # once escapes are gone, quotes delimit strings
_STEP = [0] * 256
_STEP[ord("[")] = _STEP[ord("{")] = 1
_STEP[ord("]")] = _STEP[ord("}")] = -1


class DepthGuard:
    """The nesting depth of a JSON byte stream fed chunk by chunk, refused past ``MAX_DEPTH`` before the parser
    gets there — in the same pass as the parse and at C speed: escapes are dropped (``bytes.replace``), all but
    brackets and quotes dropped (``translate``), what lies between quotes cut out (``split``), and the depth
    is the running sum over the brackets left (``accumulate``). State across chunks: inside a string or not,
    and an odd backslash left at a chunk's end.

    Exact for valid JSON. Invalid JSON (a backslash or stray quote outside a string) can mislead it only after
    the point where the parser, which reads the same bytes, refuses the body."""

    def __init__(self, limit: int = MAX_DEPTH) -> None:
        self.limit = limit
        self.depth = 0
        self.in_string = False
        self.backslash = b""

    def feed(self, chunk: bytes) -> None:
        data = self.backslash + chunk
        self.backslash = b""
        if data.endswith(b"\\"):
            run = len(data) - len(data.rstrip(b"\\"))
            if run % 2:  # the last backslash escapes the next chunk's first byte
                data, self.backslash = data[:-1], b"\\"
        if b"\\" in data:
            data = data.replace(b"\\\\", b"").replace(b'\\"', b"")
        # only brackets and quotes are left; between quotes (every other piece) is inside a string
        pieces = data.translate(None, _NOT_STRUCTURE).split(b'"')
        brackets = b"".join(pieces[1::2] if self.in_string else pieces[::2])
        if len(pieces) % 2 == 0:  # an odd number of quotes: the chunk ends on the other side
            self.in_string = not self.in_string
        if not brackets:
            return
        if self.depth + brackets.count(b"[") + brackets.count(b"{") > self.limit:
            deepest = max(accumulate(map(_STEP.__getitem__, brackets), initial=self.depth))
            if deepest > self.limit:
                raise MalformedJsonError(f"the body nests deeper than {self.limit} levels; OCDS data does not")
        self.depth += brackets.count(b"[") + brackets.count(b"{") - brackets.count(b"]") - brackets.count(b"}")


class _Utf8Stream:
    """A ``read(n)`` view that counts bytes, guarantees UTF-8 (validating or transcoding) and guards the depth."""

    def __init__(self, raw: IO[bytes], encoding: str | None) -> None:
        self.raw = raw
        self.encoding = codecs.lookup(encoding).name if encoding else "utf-8"
        self.decoder = codecs.getincrementaldecoder(self.encoding)(errors="strict")
        self.bytes_read = 0
        self.first = True
        self.guard = DepthGuard()

    def read(self, size: int = -1) -> bytes:
        if size == 0:  # ijson probes read(0) for bytes vs text
            return b""
        chunk = self.raw.read(size if size > 0 else 65536)
        start = self.bytes_read
        self.bytes_read += len(chunk)
        if self.first and chunk:
            self.first = False
            if chunk.startswith(BOM):
                chunk = chunk[len(BOM) :]
        try:
            text = self.decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as e:
            offset = start + e.start
            raise NotUtf8Error(
                f"the body is not {self.encoding.upper()} (invalid byte 0x{e.object[e.start]:02x} at offset {offset}); "
                "JSON must be UTF-8 — or name the file's encoding (e.g. encoding=iso-8859-1) to have it converted",
                offset=offset,
                encoding=self.encoding,
            ) from None
        out = chunk if self.encoding == "utf-8" else text.encode("utf-8")
        self.guard.feed(out)
        return out


def _seekable(source: IO[bytes]) -> IO[bytes]:
    if source.seekable():
        return source
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - returned open, closed by read()
    shutil.copyfileobj(source, spool)
    spool.seek(0)
    return spool  # type: ignore[return-value]


def _sniff(stream: _Utf8Stream, package: Package) -> str | None:
    """The first top-level value's shape, collecting a package's leading metadata."""
    key = None
    for prefix, event, value in ijson.parse(stream, multiple_values=True, use_float=True):
        if prefix == "":
            if event == "start_array":
                return "array"
            if event == "map_key":
                if value in ("releases", "records"):
                    return f"{value[:-1]} package"
                key = value
            elif event == "end_map":
                return "values"
            elif event not in ("start_map",):
                raise UnknownFormatError("the input is a JSON scalar, not an OCDS package, release or record")
        elif key == "version" and prefix == "version" and isinstance(value, str):
            package.version = value
        elif prefix == "uri" and isinstance(value, str):
            package.uri = value
        elif prefix == "publishedDate" and isinstance(value, str):
            package.published_date = value
        elif prefix == "publisher.name" and isinstance(value, str):
            package.publisher_name = value
        elif prefix == "extensions.item" and isinstance(value, str):
            package.extensions.append(value)
    return None


def classify(value: Any) -> Iterator[Item]:
    """A top-level value (or array element) as items; a package inside a stream yields its contents."""
    if not isinstance(value, dict):
        raise UnknownFormatError(f"expected a JSON object, found {type(value).__name__}")
    if "ocid" not in value and isinstance(value.get("releases"), list):
        for release in value["releases"]:
            yield from classify(release)
    elif "ocid" not in value and isinstance(value.get("records"), list):
        for record in value["records"]:
            yield Item("record", record)
    elif "compiledRelease" in value or "versionedRelease" in value or isinstance(value.get("releases"), list):
        yield Item("record", value)
    elif is_versioned(value):
        yield Item("versioned", value)
    else:
        yield Item("release", value)


def is_versioned(value: dict[str, Any]) -> bool:
    """A versioned release: its fields are histories (``[{releaseID, releaseDate, value}, …]``)."""
    for key in ("tag", "date", "id", "initiationType", "buyer", "tender"):
        history = value.get(key)
        if isinstance(history, list) and history and isinstance(history[0], dict) and "releaseID" in history[0]:
            return True
    return False


def read(
    source: str | Path | IO[bytes],
    *,
    encoding: str | None = None,
    progress: Callable[[Progress], None] | None = None,
    every: int = 1000,
) -> tuple[Package, Iterator[Item]]:
    """Open ``source`` (path or binary stream), sniff its shape and return the items as a lazy iterator.

    Raises :class:`NotUtf8Error`, :class:`MalformedJsonError` or :class:`UnknownFormatError` — from
    this call when the first value shows it, else while iterating.
    """
    owned = isinstance(source, (str, Path))
    raw: IO[bytes] = open(source, "rb") if owned else _seekable(source)  # type: ignore[arg-type]  # noqa: SIM115
    package = Package()
    sniffer = _Utf8Stream(raw, encoding)
    try:
        shape = _sniff(sniffer, package)
    except ijson.JSONError as e:
        raw.close() if owned else None
        if sniffer.bytes_read == 0:
            raise UnknownFormatError("the body is empty") from None
        raise MalformedJsonError(f"the body is not valid JSON: {e}") from None
    except OcdsImportError:
        raw.close() if owned else None
        raise
    if shape is None:
        raw.close() if owned else None
        raise UnknownFormatError("the body holds no JSON value")
    package.shape = shape
    raw.seek(0)
    return package, _items(raw, owned, shape, encoding, progress, every)


def _items(
    raw: IO[bytes],
    owned: bool,
    shape: str,
    encoding: str | None,
    progress: Callable[[Progress], None] | None,
    every: int,
) -> Iterator[Item]:
    stream = _Utf8Stream(raw, encoding)
    prefix = {"release package": "releases.item", "record package": "records.item", "array": "item"}.get(shape, "")
    count = 0
    try:
        for value in ijson.items(stream, prefix, multiple_values=True, use_float=True):
            if shape == "release package":
                items: Iterator[Item] = iter((Item("release", value),)) if isinstance(value, dict) else classify(value)
            elif shape == "record package":
                items = iter((Item("record", value),)) if isinstance(value, dict) else classify(value)
            else:
                items = classify(value)
            for item in items:
                count += 1
                if progress is not None and count % every == 0:
                    progress(Progress(count, stream.bytes_read))
                yield item
    except ijson.JSONError as e:
        raise MalformedJsonError(f"the body is not valid JSON: {e}", items_read=count) from None
    finally:
        if owned:
            raw.close()
    if progress is not None:
        progress(Progress(count, stream.bytes_read))
