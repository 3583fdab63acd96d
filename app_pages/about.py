"""About the data: sources, licences, how each column is made, the classifier's measured
accuracy, and the whole-corpus download."""

from __future__ import annotations

import html
import json
import re

import pandas as pd
import streamlit as st

import config
from analysis import evaluation_summary, export
from app_pages import common, coverage, data, style
from app_pages.state import md_escape


def _figure_line(r: dict) -> str:
    value = r["on letters never trained on"]
    said = "not measured" if value is None or pd.isna(value) else f"{value:.3f}"
    extra = [f"95% interval {r['95% interval']}"] if r["95% interval"] else []
    if r["goal"]:
        extra.append(f"goal {r['goal']}: {'met' if r['goal met'] == 'yes' else 'not met'}")
    return f"- {md_escape(r['figure'])}: **{said}**" + (f" ({'; '.join(extra)})" if extra else "")


sig, _voc, span = common.open_page()
meta = common.meta(sig)
common.url_filters("about", common.vocab(sig), ())

st.title("About the data", anchor=False)
built = md_escape(style.when(meta.get("built_at", "")))
st.markdown(f"""
**Source.** Joint Targeted Area Inspection (JTAI) letters published by Ofsted with the Care
Quality Commission, HMICFRS and HM Inspectorate of Probation on
[reports.ofsted.gov.uk]({config.SITE_BASE_URL}). Each letter is parsed into sentences
("findings"), each placed in its section and page, then tagged by a classifier with a label
(strength, improvement, priority action, context), the agencies and the topics it is about.

**This corpus:** {span["letters"]} letters about {span["areas"]} areas, {span["findings"]:,}
findings, published {span["first"]} to {span["last"]}; built {built}
(parser version {md_escape(meta.get("parser_version", "?"))},
classifier {md_escape(meta.get("classifier", "?"))}).

**Licences.** Letter text is Crown copyright, reused under the
[Open Government Licence v3.0](https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/).
The local-authority lookup (codes, regions, statistical neighbours) is under the MIT licence.
Boundaries: ONS, Open Government Licence (Contains OS data © Crown copyright and database right).
""")
coverage.render(sig)

st.header("Download the whole corpus", anchor=False)
st.download_button(
    "Download letters.csv, findings.csv and datapackage.json (zip)",
    data=lambda: data.corpus_zip(config.db_path()),
    file_name="jtai-corpus.zip",
    mime="application/zip",
    key="dl_corpus",
    on_click="ignore",
)
st.caption("The same files as `python -m analysis export OUT_DIR`.")

st.header("How each column is made", anchor=False)
cols = [
    {"file": "letters.csv", "column": c, "description": export.DESCRIPTIONS[c]}
    for c in export.LETTERS_CSV_COLUMNS
]
cols += [
    {"file": "findings.csv", "column": c, "description": export.DESCRIPTIONS[c]}
    for c in export.FINDINGS_CSV_COLUMNS
]
dictionary = pd.DataFrame(cols)


def literals(text: str) -> str:
    """``text`` escaped, its codes (values as the CSV holds them: priority_action) set as code."""
    return re.sub(
        r"\b[a-z]+(?:_[a-z0-9]+)+\b",
        lambda m: f"<code style='font-size:0.85em'>{m.group(0)}</code>",
        html.escape(text),
    )


# A list per file: it reads at any width (a grid of long descriptions scrolled sideways on a
# phone) and needs no grid script.
with st.container(key="about_dictionary"):
    st.html(
        "".join(
            f"<p style='margin:0.5rem 0 0'><strong>{html.escape(name)}</strong></p><ul>"
            + "".join(
                f"<li><code style='font-size:0.85em'>{html.escape(r.column)}</code>: "
                f"{literals(r.description)}</li>"
                for r in part.itertuples()
            )
            + "</ul>"
            for name, part in dictionary.groupby("file", sort=False)
        )
    )
common.download_csv(dictionary, "data_dictionary.csv", key="dl_dictionary")

st.header("How accurate is the classifier?", anchor=False)
ev_dir = config.evaluation_dir()
ev_json, card = ev_dir / "evaluation.json", ev_dir / "model-card.md"
if not ev_json.exists() and not card.exists():
    # No server path here: a reader is not the operator (`make build` writes both files).
    st.info(
        "Not yet evaluated: this corpus has no evaluation of its classifier (its operator "
        "can run `python -m analysis evaluate`). Labels, agencies and topics should be "
        "treated as unverified."
    )
if ev_json.exists():
    try:
        ev = json.loads(ev_json.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        st.warning(md_escape(f"The evaluation could not be read ({type(exc).__name__})."))
    else:
        rows = pd.DataFrame(evaluation_summary.headline(ev))
        test = ev.get("test") or {}
        st.markdown(
            f"Measured on {test.get('n', '?')} hand-labelled sentences of "
            f"{test.get('letters', '?')} letters that the classifier never learnt from (the "
            "frozen test letters of the gold set), with 95% intervals over letters. The model "
            "card below says how, per letter format and per tag."
        )
        # A list, not a grid: it reads whole on a phone.
        st.markdown("\n".join(_figure_line(r) for r in rows.to_dict("records")))
        common.download_csv(rows, "evaluation.csv", key="dl_eval")
if card.exists():
    with st.expander("Model card", expanded=True), st.container(key="about_card"):
        # The card is our own build's output, but render it as text, not HTML.
        st.markdown(card.read_text(encoding="utf-8")[:50_000])
