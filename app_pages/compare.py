"""Compare themes: how often findings touch a topic in letters on different themes, split by
strength and improvement, with 95% Wilson intervals and the sentences behind every bar."""

from __future__ import annotations

import html

import streamlit as st

from app_pages import common, data, figures, meaning, names, readings
from app_pages.state import Filters, md_escape

PAGE = "compare"
KEYS = ("theme", "topic", "q", "match", "from", "to", "bar", "needs_review")
DEFAULT_THEMES = ("cse_missing", "domestic_abuse")
DEFAULT_TOPIC = "perpetrator_focus"
# A bar's label in the link: "all" stands for the "all findings" bar.
BAR_IN_LINK = {"strength": "strength", "improvement": "improvement", "all findings": "all"}
BAR_FROM_LINK = {v: k for k, v in BAR_IN_LINK.items()}

sig, voc, span = common.open_page(charts=True)

st.title("Compare themes", anchor=False)
filters, reseed = common.url_filters(PAGE, voc, KEYS)
if len(filters.theme) < 2:
    if filters.theme:
        st.warning("Pick at least two themes to compare; the default pair is shown.")
    filters = filters.with_(theme=DEFAULT_THEMES)
if len(filters.topic) > 1:
    st.warning(
        f"One topic at a time: showing {names.topic_name(filters.topic[0])}, ignored the rest."
    )
topic = filters.topic[0] if filters.topic else DEFAULT_TOPIC
filters = filters.with_(topic=(topic,))

c1, c2 = st.columns([3, 2])
common.seed("compare_theme", list(filters.theme), reseed)
themes = c1.multiselect(
    "Themes (two or more)",
    list(voc.themes),
    key="compare_theme",
    format_func=lambda t: voc.themes.get(t, t),
)
common.seed("compare_topic", topic, reseed)
# A phrase the taxonomy lacks, charted like a topic (it replaces the topic while it is set).
common.seed("compare_q", filters.q, reseed)
topic = c2.selectbox(
    "Topic",
    list(voc.topics),
    key="compare_topic",
    format_func=names.topic_name,
    disabled=bool(st.session_state.get("compare_q", "").strip()),
    help="Not used while a phrase is searched instead",
)
c3, c4 = st.columns([3, 2])
phrase = c3.text_input(
    "Or a phrase instead of a topic", key="compare_q", max_chars=200,
    placeholder="e.g. return home interviews",
).strip()  # fmt: skip
common.seed("compare_match", filters.match == "meaning", reseed)
by_meaning = c4.toggle("Match by meaning as well as words", key="compare_match")
match = "meaning" if by_meaning else "words"
dated = common.filter_box(
    PAGE, filters, reseed, voc, ("from", "to"), span, columns=2, title="Letters published between"
)
d_from, d_to = dated.date_from, dated.date_to
review = common.review_toggle(PAGE, filters, reseed).exclude_review
if len(themes) < 2:
    st.warning("Pick at least two themes to compare.")
    st.stop()
filters = Filters(
    theme=tuple(themes),
    topic=() if phrase else (topic,),
    q=phrase,
    match=match,
    date_from=d_from,
    date_to=d_to,
    exclude_review=review,
)
filters, close = meaning.resolve(sig, filters)
common.show_description(filters.with_(topic=()), voc, noun="letters")

table = common.compare_counts(sig, filters, topic)
table.insert(1, "theme_name", table["theme"].map(lambda t: voc.themes.get(t, t)))
table["label_name"] = table["label"].map(names.label_name)  # last: CSV columns stay put
table["share"] = table["share"].round(4)
table["ci_low"] = table["ci_low"].round(4)
table["ci_high"] = table["ci_high"].round(4)
topic_name = names.topic_name(topic)
if phrase:
    topic_name = f"“{phrase}” (search)"
    how = (
        meaning.threshold_note() if close is not None else "a sentence matches when it contains it"
    )
    st.markdown(md_escape(f"This is a search, not a topic: {how}."))

if phrase and table["on_topic"].sum() == 0:
    st.info("No sentence in these letters matches the phrase.")
elif table["on_topic"].sum() == 0:
    st.info(
        f"No finding in these letters is tagged with the topic '{topic_name}' yet "
        "(topics come from the classifier; if it has not run, every share is 0)."
    )

# The bar whose sentences are listed: from a click on the chart, the picker below, or the link.
bars = [(t, lab) for t in filters.theme for lab in data.COMPARE_LABELS]
linked = dated.bar and (dated.bar[0], BAR_FROM_LINK.get(dated.bar[1], ""))
if reseed and linked in bars:
    st.session_state["compare_bar"] = linked
elif reseed and dated.bar:
    st.warning(md_escape(f"Link: ignored bar {':'.join(dated.bar)}: not a bar of this chart"))
if st.session_state.get("compare_bar") not in bars:
    st.session_state["compare_bar"] = bars[0]
bar = st.session_state["compare_bar"]
filters = filters.with_(bar=(bar[0], BAR_IN_LINK[bar[1]]))
common.write_url(PAGE, filters)
common.copy_link("compare", filters)


def _clicked() -> None:
    state = st.session_state.get("fig_compare")
    click = (state.get("click") if hasattr(state, "get") else getattr(state, "click", None)) or {}
    custom, label = click.get("custom") or [], click.get("meta")
    bar = (custom[4] if len(custom) > 4 else None, label)
    if bar in bars:
        st.session_state["compare_bar"] = bar


common.chart(
    figures.compare,
    (table, topic_name),
    table,
    f"compare_{topic}",
    "compare",
    caption="Bars: share of the theme's findings with that label which "
    + ("match the phrase" if phrase else "are tagged with the topic")
    + "; text: count on topic / findings; whiskers: 95% Wilson interval. "
    "Choose a bar (or pick it below) to read its sentences.",
    reading=readings.compare(table, topic_name),
    on_click=_clicked,
)


def offline_html() -> bytes:
    """Self-contained page (plotly.js inlined) so the chart opens without a network."""
    fig = figures.compare(table, topic_name)
    title = html.escape(fig.layout.title.text)
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>" + title + "</title>"
        "</head><body><h1>"
        + title
        + "</h1>"
        + fig.to_html(include_plotlyjs=True, full_html=False)
        + "<h2>Table</h2>"
        + table.to_html(index=False, escape=True)
        + "</body></html>"
    ).encode("utf-8")


st.download_button(
    "Download chart as HTML (works offline)",
    data=offline_html,
    file_name=common.download_name("compare", filters, "html"),
    mime="text/html",
    key="dl_html",
    on_click="ignore",
)

st.header("The sentences behind each bar", anchor=False)
counts = {(r.theme, r.label): r.on_topic for r in table.itertuples()}
bar = st.selectbox(
    "Bar to read",
    bars,
    key="compare_bar",
    format_func=lambda b: (
        f"{voc.themes.get(b[0], b[0])} — {names.label_name(b[1])} "
        f"({readings.plural(counts.get(b, 0), 'sentence')})"
    ),
)
bar_filters = filters.with_(
    theme=(bar[0],), label=() if bar[1] == names.ALL_FINDINGS else (bar[1],), bar=None
)
rows, total = common.findings(sig, bar_filters, common.LIST_ROWS)
st.markdown(
    md_escape(
        f"{readings.plural(total, 'sentence')} on {topic_name.lower()} — "
        f"{names.label_name(bar[1])}, {voc.themes.get(bar[0], bar[0])}"
    )
)
if total:
    common.sentence_list(rows, total=total, la_names=voc.la_names)
common.findings_csv(
    sig,
    bar_filters,
    common.download_name("compare", filters),
    key="dl_bar_rows",
    label=f"Download these sentences as CSV ({readings.plural(total, 'row')})",
)
