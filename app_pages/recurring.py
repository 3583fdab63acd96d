"""Recurring findings: in how many letters (areas) inspectors recorded a weakness or a strength
on each topic and agency, side by side across themes or periods, with the sentences behind
every count grouped by letter, and the priority actions issued per theme."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis import recurring, store
from analysis.taxonomy import AGENCIES, TOPICS, agency_name, topic_name
from app_pages import common, data, html_parts
from app_pages.names import theme_name
from app_pages.state import Filters, md_escape, to_query

PAGE = "recurring"
KEYS = ("theme", "region", "la", "from", "to", "topic", "agency", "label", "period")
MORE_KEYS = ("region", "la", "from", "to")
SENTENCE_ROWS = 200  # sentences drawn under a count; the CSV has them all

sig, voc, span = common.open_page()
st.title("Recurring findings")
st.markdown(
    "In how many **letters** (each letter is one area's inspection) inspectors recorded a "
    "weakness or a strength on each topic and agency. One wordy letter counts once, like a "
    "terse one. A weakness is an area for improvement or a priority action."
)
filters, reseed = common.url_filters(PAGE, voc, KEYS)


# ---------------------------------------------------------------- choices
common.seed("recurring_theme", list(filters.theme), reseed)
themes = st.multiselect(
    "Themes", list(voc.themes), key="recurring_theme", format_func=theme_name, placeholder="All"
)
filters = filters.with_(theme=tuple(themes))
filters = common.filter_box(
    PAGE, filters, reseed, voc, MORE_KEYS, span, columns=2, title="More filters (area, dates)"
)
subjects = [""] + [f"topic:{t}" for t in TOPICS] + [f"agency:{a}" for a in AGENCIES]
if filters.topic and filters.agency:
    st.warning("One topic or agency at a time: showing the topic.")
wanted = (
    f"topic:{filters.topic[0]}"
    if filters.topic
    else (f"agency:{filters.agency[0]}" if filters.agency else "")
)


def subject_name(value: str) -> str:
    if not value:
        return "None (pick one, or a count in the tables)"
    kind, code = value.split(":", 1)
    return topic_name(code) if kind == "topic" else f"{agency_name(code)} (agency)"


c1, c2 = st.columns([3, 2])
common.seed("recurring_subject", wanted, reseed)
subject = c1.selectbox(
    "Side by side: one topic or agency", subjects, key="recurring_subject", format_func=subject_name
)
common.seed("recurring_period", ", ".join(filters.period), reseed)
period_text = c2.text_input(
    "Across periods instead of themes (years, e.g. 2016-2017, 2024-2025)",
    key="recurring_period",
    max_chars=100,
)
periods: list[str] = []
for chunk in (p.strip() for p in period_text.split(",") if p.strip()):
    try:
        recurring.Period.parse(chunk)
        periods.append(chunk)
    except ValueError as exc:
        st.warning(md_escape(str(exc)))
kind, code = subject.split(":", 1) if subject else ("", "")
filters = filters.with_(
    topic=(code,) if kind == "topic" else (),
    agency=(code,) if kind == "agency" else (),
    period=tuple(periods),
    label=filters.label if subject else (),
)
common.write_url(PAGE, filters)
selection = Filters(
    theme=filters.theme,
    la=filters.la,
    region=filters.region,
    date_from=filters.date_from,
    date_to=filters.date_to,
)
common.show_description(selection, voc, noun="letters")
common.copy_link(PAGE, filters)

# ---------------------------------------------------------------- data
where, params = data.letters_where(selection)
letters = common.query(
    sig,
    "SELECT l.letter_id, l.urn, l.local_authority, l.theme, l.published, l.n_priority_actions "
    "FROM letters l" + where + " ORDER BY l.published, l.letter_id",
    tuple(params),
)
if letters.empty:
    st.info("No letter matches these filters: remove one (the summary above says which).")
    st.stop()
topic_tags = common.query(sig, store.letter_tags_sql("topic", where), tuple(params))
agency_tags = common.query(sig, store.letter_tags_sql("agency", where), tuple(params))
ids = list(letters["letter_id"])
n = len(ids)
one_theme = len(selection.theme) == 1
noun = (
    f"{recurring.in_sentence(theme_name(selection.theme[0]))} letters" if one_theme else "letters"
)


def count_link(kind_: str, dim: str, code_: str, k: int) -> html_parts.Link | str:
    """'k of n', linking to the sentences behind it on this page."""
    text = f"{k} of {n}"
    if not k:
        return text
    target = filters.with_(
        topic=(code_,) if dim == "topic" else (),
        agency=(code_,) if dim == "agency" else (),
        label=recurring.KINDS[kind_],
    )
    name = topic_name(code_) if dim == "topic" else agency_name(code_)
    return html_parts.Link(
        html_parts.app_link("recurring", to_query(target)),
        text,
        f"{text} letters: the sentences on {name} recorded as {recurring.KIND_NAMES[kind_]}",
    )


def counts_section(dim: str, tags: pd.DataFrame, title: str, name_of) -> None:  # noqa: ANN001
    counts = recurring.letter_counts(tags, ids)
    st.header(title)
    st.markdown(md_escape(recurring.headline(counts, name_of, noun)))
    if counts.empty:
        return
    st.markdown(
        f"Each cell: the letters with at least one such finding, of the {n} selected; a count "
        "opens its sentences. Equal counts: more weakness sentences first."
    )
    heading = "Topic" if dim == "topic" else "Agency"
    rows = [
        {
            heading: name_of(r.code),
            "Weakness": count_link("weakness", dim, r.code, r.weakness_letters),
            "Strength": count_link("strength", dim, r.code, r.strength_letters),
            "Priority action": count_link(
                "priority_action", dim, r.code, r.priority_action_letters
            ),
        }
        for r in counts.itertuples()
    ]
    st.html(
        html_parts.STYLE
        + html_parts.table(rows, [heading, "Weakness", "Strength", "Priority action"])
    )
    csv = counts.assign(name=counts["code"].map(name_of))
    common.download_csv(
        csv[["code", "name", *recurring.COUNT_COLUMNS, "letters"]],
        f"recurring_{dim}s.csv",
        key=f"dl_recurring_{dim}",
        label=f"Download CSV ({html_parts.rows(len(csv))})",
    )


counts_section("topic", topic_tags, "Topics", topic_name)
counts_section("agency", agency_tags, "Agencies", agency_name)

# ---------------------------------------------------------------- one topic or agency
if subject:
    name = topic_name(code) if kind == "topic" else agency_name(code)
    tags = topic_tags if kind == "topic" else agency_tags
    if periods:
        groups = recurring.groups_by_period(letters, periods)
        group_name = {p: recurring.Period.parse(p).name for p in periods}
        across = "periods (year of publication)"
    else:
        groups = recurring.groups_by_theme(letters, selection.theme)
        group_name = {t: theme_name(t) for t in groups}
        across = "themes"
    side = recurring.side_by_side(tags, code, groups)
    st.header(f"Side by side: {recurring.in_sentence(name)} across {across}")
    if not side.empty:
        best = side.assign(share=side["weakness_letters"] / side["letters"].clip(lower=1))
        parts = [
            f"{r.weakness_letters} of {r.letters} letter{'s' if r.letters != 1 else ''} "
            f"in {group_name[r.group]}"
            for r in best.itertuples()
        ]
        st.markdown(
            md_escape(
                f"Inspectors recorded a weakness in {name.lower() if kind == 'topic' else name} "
                "in " + "; ".join(parts) + "."
            )
        )
    rows = [
        {
            "Group": group_name[r.group],
            "Letters": r.letters,
            "With a weakness": f"{r.weakness_letters} of {r.letters}",
            "With a strength": f"{r.strength_letters} of {r.letters}",
            "With a priority action": f"{r.priority_action_letters} of {r.letters}",
            "Sentences (weakness / strength)": f"{r.weakness_sentences} / {r.strength_sentences}",
        }
        for r in side.itertuples()
    ]
    st.html(
        html_parts.STYLE
        + html_parts.table(
            rows,
            [
                "Group",
                "Letters",
                "With a weakness",
                "With a strength",
                "With a priority action",
                "Sentences (weakness / strength)",
            ],
        )
    )
    common.download_csv(
        side.assign(name=side["group"].map(group_name), code=code),
        f"recurring_{code}_side_by_side.csv",
        key="dl_recurring_side",
        label=f"Download CSV ({html_parts.rows(len(side))})",
    )

    sentence_kind = recurring.kind_of(filters.label)
    plural = recurring.KIND_PLURALS[sentence_kind]
    st.header(f"The sentences: {plural} on {recurring.in_sentence(name)}")
    behind = selection.with_(
        topic=(code,) if kind == "topic" else (),
        agency=(code,) if kind == "agency" else (),
        label=recurring.KINDS[sentence_kind],
    )
    if periods:  # only the letters of the periods compared, not every selected letter
        in_groups = {i for group in groups.values() for i in group}
        sql, sql_params = data.findings_sql(behind)
        every = common.query(sig, sql, tuple(sql_params))
        every = every[every["letter_id"].isin(in_groups)]
        rows_df, total = every.head(SENTENCE_ROWS), len(every)
    else:
        rows_df, total = common.findings(sig, behind, SENTENCE_ROWS)
    n_letters = rows_df["letter_id"].nunique() if total <= SENTENCE_ROWS else None
    st.markdown(
        md_escape(
            f"{total} sentences"
            + (f" in {n_letters} letters" if n_letters is not None else "")
            + ", grouped by letter, earliest first."
        )
    )
    if total > SENTENCE_ROWS:
        st.markdown(f"Showing the first {SENTENCE_ROWS}; the CSV download has all {total}.")
    if total:
        st.html(
            html_parts.STYLE
            + html_parts.sentences_by_letter(
                rows_df, theme_name, heading_level=3, la_names=voc.la_names
            )
        )
    name_csv = f"recurring_{code}_{sentence_kind}.csv"
    label_csv = f"Download these sentences as CSV ({html_parts.rows(total)})"
    if periods:
        common.download_csv(every, name_csv, key="dl_recurring_sentences", label=label_csv)
    else:
        common.findings_csv(sig, behind, name_csv, key="dl_recurring_sentences", label=label_csv)

# ---------------------------------------------------------------- priority actions
st.header("Priority actions per theme")
pa = recurring.priority_actions_by_theme(letters)
with_pa = int(pa["letters_with_priority_actions"].sum())
st.markdown(
    md_escape(
        f"{with_pa} of {n} letters issued priority actions "
        f"({int(pa['priority_actions'].sum())} priority action"
        f"{'s' if int(pa['priority_actions'].sum()) != 1 else ''} in all). Each JTAI series is its "
        "own theme."
    )
)
st.html(
    html_parts.STYLE
    + html_parts.table(
        [
            {
                "Theme": theme_name(r.theme),
                "Letters": r.letters,
                "With priority actions": f"0 of {r.letters}"
                if not r.letters_with_priority_actions
                else html_parts.Link(
                    html_parts.app_link(
                        "explore",
                        to_query(selection.with_(theme=(r.theme,), label=("priority_action",))),
                    ),
                    f"{r.letters_with_priority_actions} of {r.letters}",
                    f"{r.letters_with_priority_actions} of {r.letters} letters: their priority "
                    f"actions in Explore ({theme_name(r.theme)})",
                ),
                "Priority actions issued": r.priority_actions,
            }
            for r in pa.itertuples()
        ],
        ["Theme", "Letters", "With priority actions", "Priority actions issued"],
    )
)
common.download_csv(
    pa.assign(theme_name=pa["theme"].map(theme_name)),
    "recurring_priority_actions_by_theme.csv",
    key="dl_recurring_pa",
    label=f"Download CSV ({html_parts.rows(len(pa))})",
)
