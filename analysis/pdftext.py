"""PDF -> pages of text lines with the little layout the parser needs (I/O edge of analysis).

pypdfium2 (Apache-2.0/BSD) extracts text in reading order, fast, with one character index per
character of the returned text, so each line's position, size and weight can be read from its
first visible character. The parser needs them: paragraphs are only visible as vertical gaps,
nested bullets as indentation, and headings as bold lines.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from scrapers import rawstore


@dataclass(frozen=True)
class Line:
    page: int  # 1-based
    text: str  # as extracted, minus the line break; hyphen and bullet glyphs untouched
    x0: float  # left edge of the first visible character, points from the page's left
    top: float  # top of that character, points from the page's TOP (grows downwards)
    bottom: float
    last_top: float  # top of the line's last character: pdfium joins two visual lines into
    # one where a soft hyphen broke a word, and then this is the lower line's top
    size: float  # font size of that character
    bold: bool


@dataclass(frozen=True)
class PdfText:
    pages: int
    lines: list[Line]
    page_height: float


class UnreadablePdf(Exception):
    """The file cannot be read as a PDF with text (broken, encrypted, image-only)."""


def _font_name(textpage: pdfium.PdfTextPage, index: int) -> str:
    buf = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    n = pdfium_c.FPDFText_GetFontInfo(textpage.raw, index, buf, 128, ctypes.byref(flags))
    return buf.value.decode("latin-1", "replace") if n else ""


def _is_bold(textpage: pdfium.PdfTextPage, index: int) -> bool:
    weight = pdfium_c.FPDFText_GetFontWeight(textpage.raw, index)
    if weight >= 600:
        return True
    name = _font_name(textpage, index).lower()
    return "bold" in name or "black" in name or "heavy" in name


def _page_lines(textpage: pdfium.PdfTextPage, page_no: int, height: float) -> list[Line]:
    text = textpage.get_text_range()
    lines: list[Line] = []
    offset = 0
    for raw_line in text.replace("\r\n", "\n\x00").split("\n"):
        # "\r\n" is two characters in pdfium's index; the \x00 placeholder keeps offsets right.
        line = raw_line.replace("\x00", "")
        start = offset + (1 if raw_line.startswith("\x00") else 0)
        offset += len(raw_line) + 1
        stripped = line.strip()
        if not stripped:
            continue
        first = start + (len(line) - len(line.lstrip()))
        # Loose boxes (the font's ascent and descent) give every glyph of a line the same top,
        # so distances between lines do not depend on which letters they start or end with.
        left = textpage.get_charbox(first)[0]
        _l, bottom, _r, top = textpage.get_charbox(first, loose=True)
        # Size and weight are read on the first few letters: a bullet glyph, a footnote digit
        # or a space at the start is often in another font and size.
        letters = [first + k for k, ch in enumerate(stripped[:12]) if ch.isalpha()][:5] or [first]
        size = pdfium_c.FPDFText_GetFontSize(textpage.raw, letters[0])
        if size < 4:
            # Some letters scale text by the text matrix and report a font size of 1: the
            # glyph's font box then gives the size that is really seen.
            _l, lb, _r, lt = textpage.get_charbox(letters[0], loose=True)
            size = (lt - lb) / 1.15
        votes = [_is_bold(textpage, k) for k in letters]
        last = start + len(line.rstrip()) - 1
        last_top = textpage.get_charbox(last, loose=True)[3]
        lines.append(
            Line(
                page=page_no,
                text=line.rstrip(),
                x0=round(left, 1),
                top=round(height - top, 1),
                bottom=round(height - bottom, 1),
                last_top=round(height - last_top, 1),
                size=round(size, 1),
                bold=sum(votes) * 2 > len(votes),
            )
        )
    return lines


def extract(source: Path | bytes) -> PdfText:
    """Read every page's lines of a file, or of its bytes already read. Raises UnreadablePdf
    with a reason a person can act on."""
    data = source if isinstance(source, bytes) else source.read_bytes()
    try:
        # pdfium repairs damaged files silently; a file cut short is refused here instead, so it
        # can never come out as a letter missing its last pages.
        rawstore.check_pdf_bytes(data)
    except rawstore.InvalidPdf as exc:
        raise UnreadablePdf(str(exc)) from exc
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        reason = str(exc)
        if "password" in reason.lower():
            raise UnreadablePdf("encrypted PDF (needs a password)") from exc
        raise UnreadablePdf(f"not a readable PDF ({reason})") from exc
    try:
        lines: list[Line] = []
        height = 0.0
        for i in range(len(pdf)):
            page = pdf[i]
            height = page.get_height()
            textpage = page.get_textpage()
            lines.extend(_page_lines(textpage, i + 1, height))
            textpage.close()
            page.close()
        n_pages = len(pdf)
    finally:
        pdf.close()
    if n_pages == 0:
        raise UnreadablePdf("the PDF has no pages")
    if sum(len(line.text) for line in lines) < 200:
        raise UnreadablePdf("no text layer (a scanned or image-only PDF?)")
    return PdfText(pages=n_pages, lines=lines, page_height=height)


def bare_text(path: Path) -> str:
    """Text only, as the PDF library gives it: the floor the benchmarks compare against."""
    pdf = pdfium.PdfDocument(str(path))
    try:
        return "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()
