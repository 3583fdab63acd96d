"""What inspectors keep finding: counts of letters (areas), not of sentences.

A wordy letter with ten sentences on information sharing and a terse one with one are each one
letter in which inspectors recorded it; that is the question strategic leads and Ofsted's own
thematic reports ask ("in five of the six areas..."). Pure functions over plain frames, so each
count is tested without a database or a page.

Inputs:
- ``letters``: one row per selected letter, columns ``letter_id``, ``theme``, ``published``
  (ISO date) and, for priority actions, ``n_priority_actions``.
- ``tags``: one row per (letter, label, code) that occurs at least once: which topics (or
  agencies) a letter's sentences of each label touch. Duplicates are harmless.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

# What a count of each kind counts: a weakness is an area for improvement or a priority action
# (a priority action is the inspectors' most serious kind of weakness).
KINDS: dict[str, tuple[str, ...]] = {
    "weakness": ("improvement", "priority_action"),
    "strength": ("strength",),
    "priority_action": ("priority_action",),
}
KIND_NAMES = {
    "weakness": "a weakness",
    "strength": "a strength",
    "priority_action": "a priority action",
}
KIND_PLURALS = {
    "weakness": "weaknesses",
    "strength": "strengths",
    "priority_action": "priority actions",
}
COUNT_COLUMNS = [f"{kind}_letters" for kind in KINDS]


def kind_of(labels: Sequence[str]) -> str:
    """The kind a set of labels in a link means (the page's label filter); weakness when none
    is given or the set is not one of the kinds."""
    chosen = tuple(sorted(labels))
    for kind, members in KINDS.items():
        if chosen == tuple(sorted(members)):
            return kind
    return "weakness"


def letter_counts(tags: pd.DataFrame, letters: Sequence[str]) -> pd.DataFrame:
    """Per code: in how many of ``letters`` inspectors recorded a weakness, a strength and a
    priority action on it, out of ``len(letters)``; most weaknesses first. Among codes with as
    many letters, the one with more weakness sentences comes first (``tags`` may carry a
    ``sentences`` column: how many sentences each row stands for; 1 each without), then more
    strengths, then the code, so the order is fixed. Codes no selected letter mentions are
    left out."""
    selected = set(letters)
    rows = tags[tags["letter_id"].isin(selected)]
    columns = ["code", *COUNT_COLUMNS, "letters", "weakness_sentences"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    if "sentences" not in rows:
        rows = rows.assign(sentences=1)
    out = pd.DataFrame({"code": sorted(rows["code"].unique())})
    for kind, labels in KINDS.items():
        hit = rows[rows["label"].isin(labels)].groupby("code")["letter_id"].nunique()
        out[f"{kind}_letters"] = out["code"].map(hit).fillna(0).astype(int)
    weak = rows[rows["label"].isin(KINDS["weakness"])].groupby("code")["sentences"].sum()
    out["weakness_sentences"] = out["code"].map(weak).fillna(0).astype(int)
    out["letters"] = len(selected)
    out = out.sort_values(
        ["weakness_letters", "weakness_sentences", "strength_letters", "code"],
        ascending=[False, False, False, True],
    )
    return out.reset_index(drop=True)[columns]


@dataclass(frozen=True)
class Period:
    """Publication years, first to last inclusive ("2016-2017" or "2024")."""

    first: int
    last: int

    @classmethod
    def parse(cls, text: str) -> Period:
        m = re.fullmatch(r"(\d{4})(?:-(\d{4}))?", text.strip())
        if not m:
            raise ValueError(f"not a year or years: {text!r} (use 2016 or 2016-2017)")
        first = int(m.group(1))
        last = int(m.group(2) or first)
        if last < first:
            raise ValueError(f"years the wrong way round: {text!r}")
        return cls(first, last)

    def contains(self, published: str) -> bool:
        return self.first <= int(published[:4]) <= self.last

    @property
    def name(self) -> str:
        if self.first == self.last:
            return str(self.first)
        return f"{self.first}-{str(self.last)[2:]}"  # "2016-17", as thematic reports write


def groups_by_theme(letters: pd.DataFrame, themes: Iterable[str] = ()) -> dict[str, list[str]]:
    """Group key -> letter ids: one group per theme (``themes`` in that order, else every theme
    of the selection in order of its first letter)."""
    order = list(themes) or list(dict.fromkeys(letters.sort_values("published")["theme"]))
    return {t: list(letters.loc[letters["theme"] == t, "letter_id"]) for t in order}


def groups_by_period(letters: pd.DataFrame, periods: Iterable[str]) -> dict[str, list[str]]:
    """Group key (the period as written) -> ids of the letters published in it."""
    out: dict[str, list[str]] = {}
    for text in periods:
        period = Period.parse(text)
        inside = letters["published"].map(period.contains)
        out[text] = list(letters.loc[inside, "letter_id"])
    return out


def side_by_side(
    tags: pd.DataFrame, code: str, groups: Mapping[str, Sequence[str]]
) -> pd.DataFrame:
    """For one code, per group: its letters (n) and in how many of them inspectors recorded a
    weakness, a strength and a priority action on it, and (secondary, for reading the letters'
    balance) how many sentences of each direction. Every group is a row, empty ones too, so a
    reader sees "0 of 0" rather than a silently missing column."""
    mine = tags[tags["code"] == code]
    if "sentences" not in mine:
        mine = mine.assign(sentences=1)
    rows = []
    for group, ids in groups.items():
        ids = set(ids)
        part = mine[mine["letter_id"].isin(ids)]
        row: dict[str, object] = {"group": group, "letters": len(ids)}
        for kind, labels in KINDS.items():
            row[f"{kind}_letters"] = int(
                part.loc[part["label"].isin(labels), "letter_id"].nunique()
            )
        for kind in ("weakness", "strength"):
            row[f"{kind}_sentences"] = int(
                part.loc[part["label"].isin(KINDS[kind]), "sentences"].sum()
            )
        rows.append(row)
    return pd.DataFrame(
        rows,
        columns=["group", "letters", *COUNT_COLUMNS, "weakness_sentences", "strength_sentences"],
    )


def priority_actions_by_theme(letters: pd.DataFrame) -> pd.DataFrame:
    """Per theme (each JTAI series is its own theme code): letters, how many carry priority
    actions, how many none, and how many priority actions were issued in all."""
    rows = []
    for theme, part in letters.groupby("theme", sort=False):
        with_pa = int((part["n_priority_actions"] > 0).sum())
        rows.append(
            {
                "theme": theme,
                "letters": len(part),
                "letters_with_priority_actions": with_pa,
                "letters_without": len(part) - with_pa,
                "priority_actions": int(part["n_priority_actions"].sum()),
                "first_published": str(part["published"].min()),
            }
        )
    columns = [
        "theme",
        "letters",
        "letters_with_priority_actions",
        "letters_without",
        "priority_actions",
        "first_published",
    ]
    out = pd.DataFrame(rows, columns=columns)
    return out.sort_values(["first_published", "theme"]).reset_index(drop=True)


def in_sentence(name: str) -> str:
    """A name inside a sentence: "Information sharing" -> "information sharing", but "SEND and
    disability" keeps its capitals (an acronym: the second letter is a capital too)."""
    return name if name[1:2].isupper() else name[:1].lower() + name[1:]


def _names_list(names: list[str], limit: int = 3) -> str:
    shown = names[:limit]
    more = len(names) - len(shown)
    if more:
        return ", ".join(shown) + f" and {more} more"
    return ", ".join(shown[:-1]) + " and " + shown[-1] if len(shown) > 1 else shown[0]


def headline(counts: pd.DataFrame, name_of: Callable[[str], str], letters_noun: str) -> str:
    """The sentence above the table: its top result in plain English, e.g. "Inspectors recorded
    weaknesses in information sharing in 5 of 6 neglect letters." (``name_of``: code -> name).
    Ties at the top are named together, so the order of equals does not pick a winner."""
    if counts.empty:
        return f"No {letters_noun} in this selection has a finding tagged with these."
    n = int(counts.iloc[0]["letters"])
    noun = letters_noun if n != 1 else letters_noun.replace("letters", "letter")
    column, verb = "weakness_letters", "weaknesses"
    if int(counts["weakness_letters"].max()) == 0:
        column, verb = "strength_letters", "strengths (and no weakness)"
    k = int(counts[column].max())
    top = [in_sentence(name_of(c)) for c in counts.loc[counts[column] == k, "code"]]
    return f"Inspectors recorded {verb} in {_names_list(top)} in {k} of {n} {noun}."
