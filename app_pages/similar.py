"""Findings like this elsewhere: from one sentence, the most similar findings in other letters
by meaning (sentence embeddings, not only shared words), each with its label, area, theme, date
and page; filters as elsewhere, so "the same weakness, praised elsewhere" is one click."""

from __future__ import annotations

import html

import streamlit as st

from analysis.taxonomy import label_name
from app_pages import common, data, html_parts, meaning
from app_pages.names import theme_name
from app_pages.state import md_escape, to_query

PAGE = "similar"
KEYS = ("finding", "label", "theme", "region", "la", "from", "to", "agency", "topic")
MORE_KEYS = ("region", "la", "from", "to", "agency", "topic")
SHOWN = 10

sig, voc, span = common.open_page()
st.title("Findings like this elsewhere")
filters, reseed = common.url_filters(PAGE, voc, KEYS)

finding = filters.finding
query = common.query(
    sig, data.FINDING_COLUMNS + data.FINDING_FROM + " WHERE f.finding_id = ?", (finding,)
)
if finding and query.empty:
    st.warning(md_escape(f"No finding with the id {finding} in this corpus."))
if query.empty:
    st.markdown(
        "Pick a sentence: follow **findings like this** beside any sentence (Recurring "
        "findings, the brief), or find one here by its words."
    )
    words = st.text_input("Find a sentence by its words", key="similar_words", max_chars=200)
    if words.strip():
        hits, total = common.findings(sig, filters.with_(q=words.strip(), finding=""), 20)
        st.markdown(md_escape(f"{total} sentences contain “{words.strip()}”; the first 20:"))
        st.html(
            html_parts.STYLE
            + "<ul class='jt-sentences'>"
            + "".join(
                html_parts.sentence_item(
                    r, with_letter=True, theme_name=theme_name, la_names=voc.la_names
                )
                for r in hits.to_dict("records")
            )
            + "</ul>"
        )
    common.write_url(PAGE, filters.with_(finding=""))
    st.stop()

q = query.iloc[0]
st.markdown("**The sentence:**")
st.html(
    html_parts.STYLE
    + "<ul class='jt-sentences'>"
    + html_parts.sentence_item(
        q, with_letter=True, theme_name=theme_name, similar_link=False, la_names=voc.la_names
    )
    + "</ul>"
)

c1, c2 = st.columns(2)
common.seed("similar_label", list(filters.label), reseed)
labels = c1.multiselect(
    "Label of the similar findings",
    list(voc.labels),
    key="similar_label",
    format_func=label_name,
    placeholder="Any",
)
common.seed("similar_theme", list(filters.theme), reseed)
themes = c2.multiselect(
    "Theme", list(voc.themes), key="similar_theme", format_func=theme_name, placeholder="Any"
)
filters = filters.with_(label=tuple(labels), theme=tuple(themes))
filters = common.filter_box(
    PAGE, filters, reseed, voc, MORE_KEYS, span, columns=3, title="More filters"
)
common.write_url(PAGE, filters)

# One click to the same finding judged the other way elsewhere.
base = filters.with_(label=())
st.html(
    "<p>"
    + " · ".join(
        html_parts.anchor(html_parts.Link(html_parts.app_link(PAGE, to_query(f)), text))
        for f, text in (
            (base.with_(label=("strength",)), "The same, praised elsewhere (strengths)"),
            (
                base.with_(label=("improvement", "priority_action")),
                "The same, criticised elsewhere (weaknesses)",
            ),
            (base, "Any label"),
        )
    )
    + "</p>"
)
common.copy_link(PAGE, filters)

if meaning.vectors(sig) is None:
    st.info(
        "This database has no sentence vectors (it was built before them), so findings "
        "cannot be compared by meaning: rebuild it with `python -m analysis build`."
    )
    st.stop()

search = filters.with_(finding="", q="", match="words")
rows = meaning.similar_rows(sig, finding, search, SHOWN)
common.show_description(search, voc)
if rows.empty:
    st.info("No finding in another letter passes these filters: remove one.")
    st.stop()
st.markdown(
    md_escape(
        f"The {len(rows)} findings in other letters closest in meaning to this one "
        f"(cosine similarity {rows['similarity'].iloc[0]:.2f} to "
        f"{rows['similarity'].iloc[-1]:.2f}; 1 is the same meaning), closest first."
    )
)
st.html(
    html_parts.STYLE
    + "<ol class='jt-sentences'>"
    + "".join(
        html_parts.sentence_item(
            r,
            with_letter=True,
            theme_name=theme_name,
            la_names=voc.la_names,
            extra=" <span class='jt-meta'>similarity "
            + html.escape(f"{r['similarity']:.2f}")
            + "</span>",
        )
        for r in rows.to_dict("records")
    )
    + "</ol>"
)
common.download_csv(
    rows.assign(query_finding_id=finding),
    f"similar_to_{finding}.csv",
    key="dl_similar",
    label=f"Download CSV ({html_parts.rows(len(rows))})",
)
