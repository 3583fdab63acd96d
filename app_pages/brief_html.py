"""The pre-inspection brief as one self-contained HTML document: every style inline, no script,
font, image or stylesheet from anywhere, so the file opens offline and prints on A4. Links to
the letters' pages stay as links (they name where each sentence was published) and work once
the reader is online. Pure functions of the sections' HTML."""

from __future__ import annotations

import html
from collections.abc import Sequence

# Print: A4 with margins a printer can reach, no page break inside a sentence or a table row,
# links shown as their text only (the address would double the length of every line).
DOCUMENT_STYLE = """
@page { size: A4; margin: 16mm 14mm; }
html { font-family: Arial, Helvetica, sans-serif; font-size: 11pt; color: #111; }
body { max-width: 48em; margin: 1.5em auto; padding: 0 1em; line-height: 1.4; }
h1 { font-size: 1.6em; margin: 0 0 0.3em 0; }
h2 { font-size: 1.25em; margin: 1.4em 0 0.4em 0; border-bottom: 1px solid #888; }
h3 { font-size: 1.05em; margin: 1em 0 0.3em 0; }
a { color: #0b4f8a; }
.jt-wrap { overflow-x: auto; max-width: 100%; }
.jt-table { border-collapse: collapse; width: 100%; font-size: 0.92em; }
.jt-table caption { text-align: left; font-weight: 600; padding: 4px 0; }
.jt-table th, .jt-table td { text-align: left; padding: 3px 8px; vertical-align: top;
  border-bottom: 1px solid #bbb; }
.jt-badge { border-radius: 4px; padding: 0 4px; font-size: 0.8em; white-space: nowrap; }
.jt-letter { margin: 0.6em 0 0.2em 0; font-weight: 600; }
.jt-sentences { margin: 0 0 0.4em 0; padding-left: 1.3em; }
.jt-sentences li { margin-bottom: 0.25em; }
.jt-meta { font-size: 0.85em; color: #333; }
.jt-note { font-size: 0.9em; color: #333; }
@media print {
  body { max-width: none; margin: 0; padding: 0; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  li, tr { break-inside: avoid; page-break-inside: avoid; }
  a { color: #111; text-decoration: none; }
  .jt-badge { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def document(title: str, intro: str, sections: Sequence[tuple[str, str]], footer: str) -> str:
    """The whole brief: ``sections`` are (heading, body HTML) pairs, bodies already escaped."""
    body = "".join(f"<section><h2>{html.escape(h)}</h2>{b}</section>" for h, b in sections)
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{html.escape(title)}</title><style>{DOCUMENT_STYLE}</style></head><body>"
        f"<main><h1>{html.escape(title)}</h1><p>{html.escape(intro)}</p>{body}</main>"
        f"<footer><p class='jt-note'>{html.escape(footer)}</p></footer></body></html>"
    )
