"""One plain-English sentence above each chart saying what it shows, so a reader on a phone
(or one who cannot see the chart) gets its point without help. Pure functions of the rows the
chart is drawn from."""

from __future__ import annotations

import pandas as pd

from app_pages import names


def pct(x: float) -> str:
    return "–" if pd.isna(x) else f"{x:.0%}"


def plural(n: int, one: str, many: str | None = None) -> str:
    """ "1 finding", "2 findings"."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def timeline(tl: pd.DataFrame) -> str:
    """``tl``: year, theme_name, letters."""
    if tl.empty:
        return ""
    per_year = tl.groupby("year")["letters"].sum()
    per_theme = tl.groupby("theme_name")["letters"].sum().sort_values(ascending=False)
    return (
        f"{plural(int(per_year.sum()), 'letter')} from {per_year.index.min()} to "
        f"{per_year.index.max()}; the most in {per_year.idxmax()} ({per_year.max()}). "
        f"The most common theme is {per_theme.index[0]} "
        f"({plural(int(per_theme.iloc[0]), 'letter')})."
    )


def areas_map(latest: pd.DataFrame) -> str:
    """``latest``: one row per area inspected."""
    return (
        f"{plural(len(latest), 'area')} of England have a letter here; each is coloured by the "
        "theme of its latest letter."
    )


def balance(agg: pd.DataFrame) -> str:
    """``agg``: label (code), bullets."""
    tot = agg.groupby("label")["bullets"].sum()
    if not tot.sum():
        return ""
    share = tot / tot.sum()
    plurals = {
        "strength": "strengths",
        "improvement": "areas for improvement",
        "priority_action": "priority actions",
    }
    parts = [f"{pct(share.get(c, 0))} {many}" for c, many in plurals.items()]
    return f"Of all these bullets, {parts[0]}, {parts[1]} and {parts[2]}."


def balance_by_year(agg: pd.DataFrame) -> str:
    """``agg``: year, label (code), bullets: the first and the last year's priority actions."""
    if agg.empty:
        return ""
    years = sorted(agg["year"].unique())
    out = []
    for y in (years[0], years[-1]) if len(years) > 1 else years[:1]:
        part = agg[agg["year"] == y]
        tot = part["bullets"].sum()
        pa = part[part["label"] == "priority_action"]["bullets"].sum()
        out.append(f"{pct(pa / tot if tot else float('nan'))} in {y}")
    return "Priority actions were " + " and ".join(out) + " of the letters' bullets."


def compare(table: pd.DataFrame, topic_name: str) -> str:
    """``table``: theme_name, label, share (compare_counts rows)."""
    out = []
    for i, (theme, rows) in enumerate(table.groupby("theme_name", sort=False)):
        by = dict(zip(rows["label"], rows["share"], strict=False))
        s, imp = pct(by.get("strength", float("nan"))), pct(by.get("improvement", float("nan")))
        if i == 0:
            out.append(
                f"In {theme} letters {s} of strengths and {imp} of areas for improvement "
                f"concern {topic_name.lower()}"
            )
        else:
            out.append(f"in {theme} letters {s} and {imp}")
    return "; ".join(out) + "." if out else ""


def agencies(heat: pd.DataFrame) -> str:
    """``heat``: agency (code), label (name), findings."""
    if heat.empty:
        return ""
    tot = heat.groupby("agency")["findings"].sum().sort_values(ascending=False)
    top = tot.index[0]
    parts = heat[heat["agency"] == top].set_index("label")["findings"].sort_values(ascending=False)
    detail = ", ".join(f"{int(n):,} {lab.lower()}" for lab, n in parts.items())
    sentence = (
        f"{names.agency_name(top)} is named in the most findings: {int(tot.iloc[0]):,} ({detail})."
    )
    if len(tot) > 1:
        sentence += " Next: " + ", ".join(
            f"{names.agency_name(a)} ({int(n):,})" for a, n in tot.iloc[1:3].items()
        )
        sentence += "."
    return sentence


def agencies_per_letter(rates: pd.DataFrame, by: str) -> str:
    """``rates``: data.agency_rates rows (agency, theme or year, letters, per_letter)."""
    if rates.empty or rates["per_letter"].isna().all():
        return ""
    if by == "theme":
        per = rates.groupby(["agency", "theme"])["per_letter"].sum().reset_index()
        top = per.loc[per["per_letter"].idxmax()]
        n = int(rates[rates["theme"] == top["theme"]]["letters"].iloc[0])
        return (
            f"The most findings per letter: {names.agency_name(top['agency'])} in "
            f"{names.theme_name(top['theme'])} letters ({top['per_letter']:.1f} per letter, "
            f"{plural(n, 'letter')})."
        )
    top = rates.groupby("agency")["findings"].sum().idxmax()
    line = rates[(rates["agency"] == top) & rates["per_letter"].notna()].sort_values("year")
    first, last = line.iloc[0], line.iloc[-1]
    empty = sorted(rates[rates["letters"] == 0]["year"].unique())
    text = (
        f"{names.agency_name(top)}: {first['per_letter']:.1f} findings per letter in "
        f"{first['year']}, {last['per_letter']:.1f} in {last['year']}."
    )
    if empty:
        text += f" No letters in {', '.join(empty)}."
    return text


def area(comp: pd.DataFrame) -> str:
    """``comp``: group, letters, label (code), mean_bullets_per_letter; the area's letter
    first, then like with like (its theme's other letters); the reading compares those two
    (the chart has the rest)."""
    out = []
    for group, rows in list(comp.groupby("group", sort=False))[:2]:
        n = int(rows["letters"].iloc[0])
        if not n:
            out.append(f"{group}: no letters")
            continue
        by = dict(zip(rows["label"], rows["mean_bullets_per_letter"], strict=False))
        out.append(
            f"{group}: {by.get('strength', 0):g} strengths, "
            f"{by.get('improvement', 0):g} areas for improvement and "
            f"{by.get('priority_action', 0):g} priority actions per letter"
        )
    return "; ".join(out) + "."
