"""Measure the classifier against the hand-labelled gold set, with the gold letters held out.

The model is trained on every letter except the gold letters (grouped by letter, never by
sentence: sentences of one letter share wording), then the gold letters are tagged and
compared row by row. Figures go to ``config.evaluation_dir()/evaluation.json`` and a short
model card beside it, which the dashboard's About page shows.
"""

from __future__ import annotations

import csv
import json
import re
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support

import config
from analysis import classify, classify_model
from analysis.classify import Params
from analysis.letter import AGENCIES, TOPICS, Finding, Letter
from analysis.sentences import normalise_for_key

NARRATIVE_SECTIONS = {
    "introduction",
    "headline_findings",
    "main_findings",
    "case_study_effective",
    "case_study_improvement",
}
LABELS_4 = ["strength", "improvement", "priority_action", "context"]
DIRECTIONS = ["strength", "improvement"]
TEMPLATE = config.REPO_ROOT / "docs" / "model-card.md"


@dataclass(frozen=True)
class GoldRow:
    letter_file: str
    page: int
    key: str
    first_words: str
    section: str
    label: str
    agencies: str
    topics: str


def read_gold(gold_dir: Path | None = None) -> list[GoldRow]:
    """gold/labels.csv when present, else every gold/labels_part*.csv (one of the two, so a
    merged file never doubles the rows)."""
    gold_dir = gold_dir or config.GOLD_DIR
    merged = gold_dir / "labels.csv"
    paths = [merged] if merged.exists() else sorted(gold_dir.glob("labels_part*.csv"))
    rows: list[GoldRow] = []
    for path in paths:
        with path.open(newline="", encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                rows.append(
                    GoldRow(
                        letter_file=r["letter_file"],
                        page=int(r["page"] or 0),
                        key=r["key"],
                        first_words=r["first_words"],
                        section=r["section"],
                        label=r["label"],
                        agencies=r["agencies"],
                        topics=r["topics"],
                    )
                )
    return rows


def urn_and_date(letter_file: str) -> tuple[str, str]:
    """'80508-lewisham-2023-01-31' -> ('80508', '2023-01-31')."""
    m = re.fullmatch(r"(\d+)-.*?(\d{4}-\d{2}-\d{2})", letter_file)
    if not m:
        raise ValueError(f"gold letter_file not of the form <urn>-<name>-<date>: {letter_file}")
    return m.group(1), m.group(2)


def gold_letters(rows: Iterable[GoldRow], letters: Iterable[Letter]) -> dict[str, Letter]:
    """letter_file -> the parsed letter (by URN and publication date)."""
    by_urn_date = {(lt.urn, lt.published): lt for lt in letters}
    out: dict[str, Letter] = {}
    for r in rows:
        lt = by_urn_date.get(urn_and_date(r.letter_file))
        if lt is not None:
            out[r.letter_file] = lt
    return out


def _words(text: str) -> list[str]:
    return [normalise_for_key(w) for w in text.split() if normalise_for_key(w)]


def _fallback_overlap(gold_first: list[str], text: str) -> int:
    """How many of the sentence's first words end the gold first_words (>= 2 to count): the
    labellers' splitter sometimes glued a heading ('Headline findings') onto the sentence."""
    parsed = _words(text)[: len(gold_first)]
    for j in range(min(len(parsed), len(gold_first)), 1, -1):
        if gold_first[-j:] == parsed[:j]:
            return j
    return 0


def match_gold(
    rows: Sequence[GoldRow], letters: dict[str, Letter]
) -> list[tuple[GoldRow, Finding | None, str]]:
    """Each gold row with its finding and how it matched ('key', 'first_words' or 'none')."""
    out: list[tuple[GoldRow, Finding | None, str]] = []
    used: set[str] = set()
    by_key = {(lf, f.key): f for lf, lt in letters.items() for f in lt.findings}
    for r in rows:
        f = by_key.get((r.letter_file, r.key))
        if f is not None:
            used.add(f.finding_id)
            out.append((r, f, "key"))
            continue
        out.append((r, None, "none"))
    for i, (r, _found, how) in enumerate(out):
        if how != "none" or r.letter_file not in letters:
            continue
        gold_first = _words(r.first_words)
        best: tuple[int, int, Finding] | None = None
        for cand in letters[r.letter_file].findings:
            if cand.page != r.page or cand.finding_id in used:
                continue
            overlap = _fallback_overlap(gold_first, cand.text)
            if overlap < 2:
                continue
            score = (overlap, int(cand.section == r.section))
            if best is None or score > best[:2]:
                best = (*score, cand)
        if best is not None:
            used.add(best[2].finding_id)
            out[i] = (r, best[2], "first_words")
    return out


def _split(tags: str) -> set[str]:
    return {t for t in tags.split(";") if t}


def _micro_f1(pairs: list[tuple[set[str], set[str]]]) -> dict[str, float]:
    tp = sum(len(g & p) for g, p in pairs)
    fp = sum(len(p - g) for g, p in pairs)
    fn = sum(len(g - p) for g, p in pairs)
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return {"precision": round(prec, 4), "recall": round(rec, 4), "f1": round(f1, 4)}


def _per_tag(pairs: list[tuple[set[str], set[str]]], tags: Sequence[str]) -> dict[str, dict]:
    out = {}
    for t in tags:
        sub = [({t} & g, {t} & p) for g, p in pairs]
        scores = _micro_f1(sub)
        scores["support"] = sum(t in g for g, _ in pairs)
        scores["predicted"] = sum(t in p for _, p in pairs)
        out[t] = scores
    return out


def score(matched: list[tuple[GoldRow, Finding]], all_findings: list[Finding]) -> dict:
    """All figures over gold rows that matched a finding."""
    rows = [(r, f) for r, f in matched]
    sv = [(r.label, f.label) for r, f in rows if r.label in DIRECTIONS]
    narrative = [
        (r.label, f.label)
        for r, f in rows
        if r.section in NARRATIVE_SECTIONS and r.label != "mixed"
    ]
    narrative_dir = [(g, p) for g, p in narrative if g in DIRECTIONS]
    labelled = [(r.label, f.label) for r, f in rows if r.label != "mixed"]
    gl, pl = zip(*labelled, strict=True) if labelled else ((), ())
    prec, rec, f1, sup = precision_recall_fscore_support(gl, pl, labels=LABELS_4, zero_division=0)
    agency_pairs = [(_split(r.agencies), _split(f.agencies)) for r, f in rows]
    topic_pairs = [(_split(r.topics), _split(f.topics)) for r, f in rows]
    mixed = [f.label for r, f in rows if r.label == "mixed"]
    return {
        "strength_vs_improvement_macro_f1": round(
            f1_score(
                [g for g, _ in sv],
                [p for _, p in sv],
                labels=DIRECTIONS,
                average="macro",
                zero_division=0,
            ),
            4,
        )
        if sv
        else None,
        "strength_vs_improvement_n": len(sv),
        "narrative_4class_accuracy": _accuracy(narrative),
        "narrative_4class_n": len(narrative),
        "narrative_clear_direction_accuracy": _accuracy(narrative_dir),
        "narrative_clear_direction_n": len(narrative_dir),
        "all_sections_4class_accuracy": _accuracy(labelled),
        "per_class": {
            lab: {
                "precision": round(float(p), 4),
                "recall": round(float(r), 4),
                "f1": round(float(f), 4),
                "support": int(s),
            }
            for lab, p, r, f, s in zip(LABELS_4, prec, rec, f1, sup, strict=True)
        },
        "confusion_matrix": {
            "labels": LABELS_4,
            "rows_gold_cols_predicted": confusion_matrix(gl, pl, labels=LABELS_4).tolist()
            if labelled
            else [],
        },
        "mixed_gold_predicted_as": dict(Counter(mixed)),
        "agencies_micro": _micro_f1(agency_pairs),
        "agencies_micro_f1": _micro_f1(agency_pairs)["f1"],
        "per_agency": _per_tag(agency_pairs, AGENCIES),
        "topics_micro": _micro_f1(topic_pairs),
        "topics_micro_f1": _micro_f1(topic_pairs)["f1"],
        "per_topic": _per_tag(topic_pairs, TOPICS),
        "perpetrator_focus_f1": _per_tag(topic_pairs, ["perpetrator_focus"])["perpetrator_focus"][
            "f1"
        ],
        "needs_review_share_gold_letters": round(
            sum(f.needs_review for f in all_findings) / len(all_findings), 4
        )
        if all_findings
        else None,
        "needs_review_share_gold_rows": round(sum(f.needs_review for _, f in rows) / len(rows), 4)
        if rows
        else None,
    }


def _accuracy(pairs: list[tuple[str, str]]) -> float | None:
    return round(sum(g == p for g, p in pairs) / len(pairs), 4) if pairs else None


def run(
    letters: list[Letter],
    gold: list[GoldRow],
    params: Params = classify.DEFAULT_PARAMS,
    model: classify_model.LabelModel | None = None,
) -> dict:
    """Train without the gold letters, tag them, score. Letters are tagged in place."""
    held_out = gold_letters(gold, letters)
    held_ids = {lt.letter_id for lt in held_out.values()}
    train_letters = [lt for lt in letters if lt.letter_id not in held_ids]
    t0 = time.perf_counter()
    if model is None:
        model = classify_model.train(train_letters)
    train_seconds = time.perf_counter() - t0
    test_letters = sorted(held_out.values(), key=lambda lt: lt.letter_id)
    t1 = time.perf_counter()
    classify.tag_letters(test_letters, model, params)
    tag_seconds = time.perf_counter() - t1
    matched = match_gold(gold, held_out)
    ok = [(r, f) for r, f, _ in matched if f is not None]
    figures = score(ok, [f for lt in test_letters for f in lt.findings])
    how = Counter(h for _, _, h in matched)
    figures.update(
        {
            "gold_rows": len(gold),
            "gold_letters": len({r.letter_file for r in gold}),
            "gold_letters_found": len(held_out),
            "matched_rows": len(ok),
            "match_rate": round(len(ok) / len(gold), 4) if gold else None,
            "matched_by": dict(how),
            "unmatched": [
                {
                    "letter_file": r.letter_file,
                    "page": r.page,
                    "key": r.key,
                    "first_words": r.first_words,
                    "section": r.section,
                }
                for r, f, _ in matched
                if f is None
            ],
            "train_letters": len(train_letters),
            "train_sentences": model.n_train,
            "train_seconds": round(train_seconds, 2),
            "tag_seconds_gold_letters": round(tag_seconds, 3),
            "params": asdict(params),
            "model_version": classify_model.MODEL_VERSION,
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
    )
    return figures


TARGETS = {
    "strength_vs_improvement_macro_f1": 0.90,
    "narrative_clear_direction_accuracy": 0.93,
    "perpetrator_focus_f1": 0.85,
    "agencies_micro_f1": 0.85,
}


def targets_met(figures: dict) -> dict[str, bool]:
    met = {k: (figures.get(k) or 0) >= v for k, v in TARGETS.items()}
    met["needs_review_share_gold_letters"] = (
        figures.get("needs_review_share_gold_letters") or 0
    ) <= 0.12
    return met


def summary(figures: dict) -> str:
    """A few lines for the terminal."""
    met = targets_met(figures)
    keys = [
        "strength_vs_improvement_macro_f1",
        "narrative_clear_direction_accuracy",
        "narrative_4class_accuracy",
        "agencies_micro_f1",
        "topics_micro_f1",
        "perpetrator_focus_f1",
        "needs_review_share_gold_letters",
    ]
    lines = [
        f"gold: {figures['gold_rows']} rows in {figures['gold_letters']} letters, "
        f"matched {figures['matched_rows']} ({figures['match_rate']:.1%}; "
        f"{figures['matched_by']}); trained on {figures['train_letters']} other letters"
    ]
    for k in keys:
        flag = "" if k not in met else (" (target met)" if met[k] else " (TARGET MISSED)")
        lines.append(f"{k}: {figures[k]}{flag}")
    lines.append(
        "per topic F1: " + ", ".join(f"{t} {v['f1']}" for t, v in figures["per_topic"].items())
    )
    return "\n".join(lines)


def render_model_card(figures: dict, template: Path = TEMPLATE) -> str:
    """The docs template with {placeholders} filled from the figures."""
    text = template.read_text(encoding="utf-8") if template.exists() else "{figures_table}\n"
    table = "\n".join(
        f"| {name} | {figures.get(name)} | {target} |"
        for name, target in [
            ("strength_vs_improvement_macro_f1", ">= 0.90"),
            ("narrative_clear_direction_accuracy", ">= 0.93"),
            ("narrative_4class_accuracy", ""),
            ("agencies_micro_f1", ">= 0.85"),
            ("topics_micro_f1", ""),
            ("perpetrator_focus_f1", ">= 0.85"),
            ("needs_review_share_gold_letters", "<= 0.12"),
            ("match_rate", ""),
        ]
    )
    per_topic = "\n".join(
        f"| {t} | {v['f1']} | {v['support']} |" for t, v in figures["per_topic"].items()
    )
    values = {
        "figures_table": "| figure | value | target |\n|---|---|---|\n" + table,
        "per_topic_table": "| topic | F1 | gold support |\n|---|---|---|\n" + per_topic,
        "gold_rows": figures["gold_rows"],
        "gold_letters": figures["gold_letters"],
        "matched_rows": figures["matched_rows"],
        "train_letters": figures["train_letters"],
        "train_sentences": json.dumps(figures["train_sentences"]),
        "review_threshold": figures["params"]["review_threshold"],
        "generated_at": figures["generated_at"],
    }
    for k, v in values.items():
        text = text.replace("{" + k + "}", str(v))
    return text


def write(figures: dict, out_dir: Path | None = None) -> Path:
    out_dir = out_dir or config.evaluation_dir()
    out_dir.mkdir(parents=True, exist_ok=True)
    figures = {**figures, "targets_met": targets_met(figures)}
    (out_dir / "evaluation.json").write_text(json.dumps(figures, indent=2), encoding="utf-8")
    (out_dir / "model-card.md").write_text(render_model_card(figures), encoding="utf-8")
    return out_dir / "evaluation.json"
