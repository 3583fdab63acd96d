"""The pages' look where Streamlit's defaults fail a reader: contrast (WCAG AA, checked by
axe-core in the browser tests), phones, and dates written as people write them."""

from __future__ import annotations

from datetime import datetime

import streamlit as st

# Captions: Streamlit draws them in a faded grey (3.8:1 on the sidebar); the page's text colour
# at 80% keeps them quieter than body text at over 5:1 on light and dark themes.
# Chosen values of a multiselect wrap onto more lines (one scrolled row hid the second theme
# on a phone).
# Explore, What's new and an area's letters: a grid or table on a wide screen, a list on a
# phone (a grid shows ~20 characters of a sentence at 390 px). The grid's own "Download as
# CSV" would save only the rows it shows; the page's button saves them all. The model card's
# tables (About) are wider than a phone, and their box cut off the columns past its edge: on a
# phone they keep to its width: words wrap at spaces, and only a code breaks inside itself.
CSS = """
<style>
[data-testid="stCaptionContainer"] { color: inherit !important; opacity: 0.85; }
[data-testid="stCaptionContainer"] * { color: inherit !important; }
[data-testid="stMarkdownContainer"] a { overflow-wrap: anywhere; }
[data-testid="stMultiSelectTagsContainer"],
[data-testid="stMultiSelectTagsContainer"] > [role="group"] {
  flex-wrap: wrap !important; overflow: visible !important; max-height: none !important;
}
[data-testid="stMultiSelect"] div:has([data-testid="stMultiSelectTagsContainer"]) {
  height: auto !important; max-height: none !important;
}
[data-testid="stElementToolbar"] button[aria-label="Download as CSV"] { display: none; }
/* A disabled picker's label (Compare's topic while a phrase is used) stays readable:
   Streamlit greys it to a 2.3:1 contrast. */
div:has(> [data-testid="stWidgetLabel"]):has(:disabled) [data-testid="stWidgetLabel"] p {
  color: #5f5e5a !important;
}
@media (max-width: 640px) {
  .st-key-explore_grid, .st-key-new_table, .st-key-area_letters_table { display: none; }
  .st-key-about_card table { width: 100%; font-size: 0.85rem; }
  .st-key-about_card th, .st-key-about_card td { padding: 0.2rem; }
  .st-key-about_card td code { word-break: break-all; }
}
@media (min-width: 641px) {
  .st-key-explore_list, .st-key-new_list, .st-key-area_letters_list { display: none; }
}
</style>
"""


def apply() -> None:
    st.html(CSS)


def when(stamp: str) -> str:
    """An ISO timestamp as people write it: "30 November 2026, 09:18 UTC"."""
    try:
        t = datetime.fromisoformat(stamp)
    except (TypeError, ValueError):
        return stamp or "unknown"
    zone = "UTC" if t.utcoffset() is not None and not t.utcoffset() else (t.tzname() or "")
    return f"{t.day} {t:%B %Y, %H:%M} {zone}".strip()
