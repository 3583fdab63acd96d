"""The link is the state: filters from the URL (with notices for what was ignored), the
widgets seeded from them, the URL written back, and the link to copy."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from urllib.parse import urlencode, urlsplit, urlunsplit

import streamlit as st

from app_pages import names
from app_pages.state import Filters, Vocab, describe, md_escape, parse_query, to_query


def _raw_params() -> dict[str, list[str]]:
    return {k: st.query_params.get_all(k) for k in st.query_params}


# How many of the URLs a page wrote it remembers: a rerun can arrive carrying one of them
# (quick key presses on a slider send reruns before the browser has the newest URL).
WRITTEN_KEPT = 32


def url_filters(page: str, voc: Vocab, accepted: Iterable[str]) -> tuple[Filters, bool]:
    """Filters from the URL, notices for what was ignored, and whether widgets must be
    (re)seeded: true on first load and when the URL was changed from outside (a new link),
    false when it is a URL this page itself wrote (on the previous run or, for a rerun sent
    before the browser had the newest URL, on one of the runs before it)."""
    raw = _raw_params()
    filters, notices = parse_query(raw, voc, accepted)
    for n in notices:
        st.warning("Link: " + md_escape(n), icon="⚠️")
    written = st.session_state.get(f"_url_{page}", [])
    current = {k: ",".join(v) for k, v in raw.items()}
    return filters, current not in written


def write_url(page: str, filters: Filters, extra: dict[str, str] | None = None) -> None:
    """The URL for ``filters`` (plus a page's own ``extra`` parameters)."""
    params = {**to_query(filters), **(extra or {})}
    if {k: st.query_params.get(k) for k in st.query_params} != params:
        st.query_params.from_dict(params)
    written = [w for w in st.session_state.get(f"_url_{page}", []) if w != params]
    st.session_state[f"_url_{page}"] = [*written, params][-WRITTEN_KEPT:]


def seed(key: str, value: object, reseed: bool) -> None:
    """Give a widget its value from the URL without also passing a default (Streamlit warns
    when both set a widget's value)."""
    if reseed or key not in st.session_state:
        st.session_state[key] = value


def show_description(filters: Filters, voc: Vocab, noun: str = "findings") -> None:
    st.markdown("**Showing:** " + md_escape(describe(filters, voc, noun)))


def _md_url(url: str) -> str:
    # Markdown link targets end at a space or an unbalanced parenthesis: percent-encode both.
    return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")


def copy_link(url_path: str, filters: Filters | dict[str, str]) -> None:
    """The link to exactly this view, for a reader to copy and send on."""
    params = filters if isinstance(filters, dict) else to_query(filters)
    qs = urlencode(params, safe=",:")
    base = st.context.url or ""
    if base:
        parts = urlsplit(base)
        # st.context.url includes the current page's path: every page sits right under the
        # app's root (its base URL path, if the server has one), so no list of pages is kept.
        prefix = (st.get_option("server.baseUrlPath") or "").strip("/")
        root = "/" + (prefix + "/" if prefix else "")
        link = urlunsplit((parts.scheme, parts.netloc, root + url_path, qs, ""))
    else:
        link = "/" + url_path + ("?" + qs if qs else "")
    # A plain link, not st.code: its copy button costs every first-time reader a 1.5 MB
    # syntax highlighter. The text is the URL itself, so it can be selected and copied too.
    st.markdown(f"Link to this view (copy it to share): [{md_escape(link)}]({_md_url(link)})")


def download_name(prefix: str, filters: Filters | dict[str, str], ext: str = "csv") -> str:
    """A file name that says which view it holds: ``findings_theme-neglect_q-police.csv``."""
    params = filters if isinstance(filters, dict) else to_query(filters)
    parts = [prefix] + [f"{k}-{v}" for k, v in params.items()]
    name = "_".join(parts)
    name = re.sub(r"[^A-Za-z0-9._+-]+", "-", name.replace(",", "+")).strip("-")
    return (name[:150] or prefix) + "." + ext


def filter_box(
    page: str,
    filters: Filters,
    reseed: bool,
    voc: Vocab,
    keys: Iterable[str],
    span: dict[str, object],
    columns: int = 4,
    title: str = "Filters",
) -> Filters:
    """The filter widgets for ``keys`` in a box, open when the link sets any of them. The
    widgets are drawn only while it is open (a closed box keeps the link's filters): their
    scripts would slow every first visit, and most readers never use these filters."""
    keys = list(keys)
    active = any(k in to_query(filters) for k in keys)
    with st.expander(title, expanded=active, key=f"{page}_filters", on_change="rerun") as box:
        if box.open:
            return filter_widgets(page, filters, reseed, voc, keys, span, columns)
    return filters


def date_range(span: dict[str, object]) -> tuple[date, date]:
    """What the date widgets accept; parse_query clamps a link's dates into it."""
    first = date.fromisoformat(str(span["first"]))
    last = date.fromisoformat(str(span["last"]))
    return min(first, date(2015, 1, 1)), max(last, date.today())


def filter_widgets(
    page: str,
    filters: Filters,
    reseed: bool,
    voc: Vocab,
    keys: Iterable[str],
    span: dict[str, object],
    columns: int = 4,
) -> Filters:
    """The standard filter widgets for ``keys``, seeded from the URL; returns the new state."""
    keys = list(keys)
    first = date.fromisoformat(str(span["first"]))
    last = date.fromisoformat(str(span["last"]))
    lo, hi = date_range(span)
    cols = st.columns(columns)
    out = filters
    i = 0

    def col():  # noqa: ANN202 - next column, round-robin
        nonlocal i
        c = cols[i % columns]
        i += 1
        return c

    if "q" in keys:
        seed(f"{page}_q", filters.q, reseed)
        q = col().text_input(
            "Text search", key=f"{page}_q", max_chars=200, placeholder="e.g. perpetrator"
        )
        out = out.with_(q=q.strip())
    multi = {
        "theme": (list(voc.themes), lambda v: voc.themes.get(v, v), "Theme"),
        "region": (list(voc.regions), str, "Region"),
        "la": (
            sorted(set(voc.las.values()), key=lambda u: voc.la_names.get(u, u)),
            lambda u: voc.la_names.get(u, u),
            "Area",
        ),
        "label": (list(voc.labels), names.label_name, "Label"),
        "agency": (list(voc.agencies), names.agency_name, "Agency"),
        "topic": (list(voc.topics), names.topic_name, "Topic"),
    }
    for key, (options, fmt, title) in multi.items():
        if key not in keys:
            continue
        seed(f"{page}_{key}", list(getattr(filters, key)), reseed)
        chosen = col().multiselect(
            title, options, key=f"{page}_{key}", format_func=fmt, placeholder="All"
        )
        out = out.with_(**{key: tuple(chosen)})
    dates = (
        ("from", "date_from", "Published from", f"Letters run from {first} to {last}"),
        ("to", "date_to", "Published to", None),
    )
    for key, field, title, help_text in dates:
        if key not in keys:
            continue
        seed(f"{page}_{key}", getattr(filters, field), reseed)
        d = col().date_input(
            title,
            key=f"{page}_{key}",
            min_value=lo,
            max_value=hi,
            format="YYYY-MM-DD",
            help=help_text,
        )
        out = out.with_(**{field: d})
    if out.date_from and out.date_to and out.date_from > out.date_to:
        st.warning("'Published from' is after 'Published to': the date filter is ignored.")
        out = out.with_(date_from=None, date_to=None)
    if "confidence" in keys:
        seed(f"{page}_conf", filters.min_confidence or 0.0, reseed)
        c = col().slider("Minimum label confidence", 0.0, 1.0, step=0.05, key=f"{page}_conf")
        out = out.with_(min_confidence=c if c > 0 else None)
    return out


def review_toggle(page: str, filters: Filters, reseed: bool) -> Filters:
    """How far to trust the tags: a link to the classifier's measured accuracy, and a choice
    to leave out the findings it flagged for a person to check (``needs_review=exclude``)."""
    seed(f"{page}_review", filters.exclude_review, reseed)
    leave_out = st.checkbox(
        "Leave out findings flagged for review",
        key=f"{page}_review",
        help="The classifier flags findings whose tags it is least sure of.",
    )
    st.caption(
        "Labels, agencies and topics are tagged by a classifier: how accurate it is, "
        "see [About the data](about)."
    )
    return filters.with_(exclude_review=leave_out)
