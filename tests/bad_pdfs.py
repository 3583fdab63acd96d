"""Damaged and awkward PDFs made at run time from a real letter (never stored in the repo),
for the PDF edge's and the build's bad-input tests."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw
from pypdf import PdfWriter


def _written(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def encrypted(source: Path, user_password: str = "secret") -> bytes:
    """The letter encrypted; with an empty user password it opens without one (permissions
    only). RC4 needs no extra crypto library; the reader's path is the same for AES."""
    writer = PdfWriter(clone_from=str(source))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="RC4-128")
    return _written(writer)


def without_last_page(source: Path) -> bytes:
    writer = PdfWriter(clone_from=str(source))
    writer.remove_page(len(writer.pages) - 1)
    return _written(writer)


def scanned(text: str = "") -> bytes:
    """One A4 page that is an image only (a scan), with ``text`` drawn on it."""
    image = Image.new("RGB", (1240, 1754), "white")
    if text:
        ImageDraw.Draw(image).text((100, 100), text, fill="black")
    out = io.BytesIO()
    image.save(out, "PDF", resolution=150)
    return out.getvalue()
