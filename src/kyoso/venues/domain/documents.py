"""Checks on attached meeting documents: allowed types (by extension and by content) and size."""

from __future__ import annotations

from dataclasses import dataclass

MAX_BYTES = 20 * 1024 * 1024

# extension → (description, accepted leading bytes)
PDF = (b"%PDF-",)
OOXML = (b"PK\x03\x04",)  # .docx/.xlsx/.pptx are ZIP containers
OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)  # legacy .doc/.xls/.ppt
ODF = (b"PK\x03\x04",)
ALLOWED: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "pdf": ("application/pdf", PDF),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", OOXML),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", OOXML),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", OOXML),
    "doc": ("application/msword", OLE),
    "xls": ("application/vnd.ms-excel", OLE),
    "ppt": ("application/vnd.ms-powerpoint", OLE),
    "odt": ("application/vnd.oasis.opendocument.text", ODF),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", ODF),
    "odp": ("application/vnd.oasis.opendocument.presentation", ODF),
}


class DocumentProblem(Exception):
    """Why a file was refused; ``code`` is stable, ``params`` fill the translated message."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class CheckedDocument:
    extension: str
    content_type: str
    size: int


def check_document(filename: str, size: int, head: bytes, max_bytes: int = MAX_BYTES) -> CheckedDocument:
    """Accept a PDF or Office file whose extension and first bytes agree and whose size is within the limit."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in ALLOWED:
        raise DocumentProblem("type", extension=extension or "?", allowed=", ".join(sorted(ALLOWED)))
    if size == 0:
        raise DocumentProblem("empty")
    if size > max_bytes:
        raise DocumentProblem("size", size_mb=round(size / 1024 / 1024, 1), max_mb=max_bytes // (1024 * 1024))
    content_type, signatures = ALLOWED[extension]
    if not any(head.startswith(sig) for sig in signatures):
        raise DocumentProblem("content", extension=extension)
    return CheckedDocument(extension, content_type, size)
