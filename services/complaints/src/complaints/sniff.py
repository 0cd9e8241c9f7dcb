"""What a file is, from its bytes alone (never its name or a declared type).

A small table of signatures for the types a report may carry — PDF, JPEG, PNG, DOCX (an OOXML zip with
``word/document.xml``) and plain UTF-8 text — rather than libmagic: the allowed set is short, and a
signature that is not on it is refused. A file that matches none, or a type the deployment does not allow
(``settings.attachment_types``), is refused before anything is stored.
"""

from __future__ import annotations

import io
import zipfile

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
TEXT = "text/plain"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
KNOWN = (PDF, JPEG, PNG, TEXT, DOCX)
EXTENSIONS = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png", TEXT: ".txt", DOCX: ".docx"}

_ALLOWED_CONTROLS = {9, 10, 12, 13}  # tab, line feed, form feed, carriage return


def _docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return False
    return "[Content_Types].xml" in names and "word/document.xml" in names


def _text(data: bytes) -> bool:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not any((ord(ch) < 32 and ord(ch) not in _ALLOWED_CONTROLS) or 0x7F <= ord(ch) < 0xA0 for ch in text)


def sniff(data: bytes) -> str | None:
    """The media type of ``data``, or None when it is none of :data:`KNOWN`."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"PK\x03\x04"):
        return DOCX if _docx(data) else None
    if data and _text(data):
        return TEXT
    return None
