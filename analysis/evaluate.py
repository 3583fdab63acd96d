"""Measure the classifier on the gold set's frozen test letters, never on what it learnt from.

- Test figures: the models are trained on the development letters' gold sentences and the
  weak heading labels of every letter except the test letters, then the test letters are
  tagged and compared row by row. 95% intervals come from resampling the test letters (a
  letter's sentences share wording and labeller, so the letter is the unit).
- The same figures per letter format (A: 2016-2020 letters; B: 2022 on).
- Leave-one-letter-out on the development letters: each development letter tagged by models
  trained without it (what tuning may look at).
Figures go to ``config.evaluation_dir()/evaluation.json`` and a model card beside it, which
the dashboard's About page shows.
"""

from __future__ import annotations

import json
import random
import re
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

import config
from analysis import classify
from analysis import classify_model as cm
from analysis import gold as gold_set
from analysis.evaluation_summary import READABLE, TARGETS
from analysis.gold import GoldRow
from analysis.letter import AGENCIES, Finding, Letter
from analysis.taxonomy import TOPICS, TOPICS_V1, agency_name, topic_name

DIRECTIONS = ("strength", "improvement")
TEMPLATE = config.REPO_ROOT / "docs" / "model-card.md"
BOOTSTRAP_ROUNDS = 1000
SEED = 20261130


@dataclass(frozen=True)
class Pair:
    """A gold row and what the classifier said of its sentence."""

    letter: str  # letter_file
    format: str
    gold_label: str
    gold_agencies: frozenset[str]
    gold_topics: frozenset[str]
    label: str
    confidence: float
    needs_review: bool
    agencies: frozenset[str]
    topics: frozenset[str]


def _set(value: str) -> frozenset[str]:
    return frozenset(t for t in value.split(";") if t)


def pairs_of(matched: Sequence[tuple[GoldRow, Finding]], fmt: dict[str, str]) -> list[Pair]:
    return [
        Pair(
            g.letter_file,
            fmt.get(f.letter_id, ""),
            g.label,
            _set(g.agencies),
            _set(g.topics),
            f.label,
            f.label_confidence,
            f.needs_review,
            _set(f.agencies),
            _set(f.topics),
        )
        for g, f in matched
    ]


# ------------------------------------------------------------------------------ figures


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def _multi(pairs: Sequence[Pair], field: str, tags: Sequence[str]) -> dict:
    tp = fp = fn = 0
    per: dict[str, dict] = {}
    for t in tags:
        g = np.array([t in getattr(p, "gold_" + field) for p in pairs], dtype=bool)
        q = np.array([t in getattr(p, field) for p in pairs], dtype=bool)
        a, b, c = int((g & q).sum()), int((~g & q).sum()), int((g & ~q).sum())
        tp, fp, fn = tp + a, fp + b, fn + c
        per[t] = {**_prf(a, b, c), "support": int(g.sum()), "predicted": int(q.sum())}
    return {"micro": _prf(tp, fp, fn), "per_tag": per}


def score(pairs: Sequence[Pair]) -> dict:
    """Every figure of the goal table over these pairs."""
    sv = [p for p in pairs if p.gold_label in DIRECTIONS]
    f1s = []
    for d in DIRECTIONS:
        tp = sum(p.gold_label == d and p.label == d for p in sv)
        fp = sum(p.gold_label != d and p.label == d for p in sv)
        fn = sum(p.gold_label == d and p.label != d for p in sv)
        f1s.append(_prf(tp, fp, fn)["f1"])

    def precision_mixed_ok(label: str) -> float | None:
        said = [p for p in pairs if p.label == label and p.gold_label != "priority_action"]
        ok = sum(p.gold_label in (label, "mixed") for p in said)
        return round(ok / len(said), 4) if said else None

    ctx = [p for p in pairs if p.gold_label == "context"]
    said_ctx = [p for p in pairs if p.label == "context"]
    agencies = _multi(pairs, "agencies", AGENCIES)
    topics = _multi(pairs, "topics", TOPICS)
    topics_v1 = _multi(pairs, "topics", TOPICS_V1)
    flagged = [p for p in pairs if p.needs_review]
    clear = [p for p in pairs if not p.needs_review and p.gold_label != "mixed"]
    labelled = [p for p in pairs if p.gold_label != "mixed"]
    return {
        "n": len(pairs),
        "letters": len({p.letter for p in pairs}),
        "strength_vs_improvement_macro_f1": round(float(np.mean(f1s)), 4) if sv else None,
        "strength_vs_improvement_n": len(sv),
        "strength_precision_mixed_ok": precision_mixed_ok("strength"),
        "improvement_precision_mixed_ok": precision_mixed_ok("improvement"),
        "context_recall": round(sum(p.label == "context" for p in ctx) / len(ctx), 4)
        if ctx
        else None,
        "context_precision": round(
            sum(p.gold_label == "context" for p in said_ctx) / len(said_ctx), 4
        )
        if said_ctx
        else None,
        "context_n": len(ctx),
        "label_accuracy": round(sum(p.label == p.gold_label for p in labelled) / len(labelled), 4)
        if labelled
        else None,
        "label_confusion": dict(Counter(f"{p.gold_label}->{p.label}" for p in pairs)),
        "perpetrator_focus_f1": topics["per_tag"]["perpetrator_focus"]["f1"],
        "agencies_micro_f1": agencies["micro"]["f1"],
        "agencies_micro": agencies["micro"],
        "per_agency": agencies["per_tag"],
        "topics_micro_f1": topics["micro"]["f1"],
        "topics_micro": topics["micro"],
        "topics_v1_micro_f1": topics_v1["micro"]["f1"],
        "per_topic": topics["per_tag"],
        "needs_review_share": round(len(flagged) / len(pairs), 4) if pairs else None,
        "accuracy_when_flagged": round(
            sum(p.label == p.gold_label for p in flagged) / len(flagged), 4
        )
        if flagged
        else None,
        "accuracy_when_not_flagged": round(
            sum(p.label == p.gold_label for p in clear) / len(clear), 4
        )
        if clear
        else None,
    }


INTERVAL_KEYS = (
    "strength_vs_improvement_macro_f1",
    "strength_precision_mixed_ok",
    "improvement_precision_mixed_ok",
    "context_recall",
    "perpetrator_focus_f1",
    "agencies_micro_f1",
    "topics_micro_f1",
    "topics_v1_micro_f1",
)


def intervals(
    pairs: Sequence[Pair], rounds: int = BOOTSTRAP_ROUNDS, seed: int = SEED
) -> dict[str, list[float]]:
    """95% percentile intervals of the headline figures, resampling letters with replacement."""
    by_letter: dict[str, list[Pair]] = {}
    for p in pairs:
        by_letter.setdefault(p.letter, []).append(p)
    letters = sorted(by_letter)
    rng = np.random.default_rng(seed)
    draws: dict[str, list[float]] = {k: [] for k in INTERVAL_KEYS}
    for _ in range(rounds):
        sample = [
            p for i in rng.integers(0, len(letters), len(letters)) for p in by_letter[letters[i]]
        ]
        s = score(sample)
        for k in INTERVAL_KEYS:
            if s.get(k) is not None:
                draws[k].append(s[k])
    return {
        k: [round(float(np.percentile(v, 2.5)), 4), round(float(np.percentile(v, 97.5)), 4)]
        for k, v in draws.items()
        if v
    }


# ------------------------------------------------------------------------------ runs


@dataclass
class Prepared:
    corpus: classify.Corpus
    matched: list[tuple[GoldRow, Finding]]
    part: dict[str, str]  # letter_id -> dev | test
    fmt: dict[str, str]  # letter_id -> A | B

    def letters_in(self, part: str) -> list[str]:
        """The letter ids of one part of the split (dev or test), sorted."""
        return sorted(lid for lid, p in self.part.items() if p == part)


def prepare(
    letters: Sequence[Letter],
    vectors: np.ndarray,
    gold: Sequence[GoldRow],
    split: dict[str, str],
) -> Prepared:
    found = gold_set.gold_letters(gold, letters)
    matched = [(g, f) for g, f, _ in gold_set.match_gold(gold, found) if f is not None]
    part = {lt.letter_id: split.get(lf, "dev") for lf, lt in found.items()}
    return Prepared(
        classify.Corpus.of(letters, vectors),
        matched,
        part,
        {lt.letter_id: lt.format for lt in letters},
    )


def _tag_and_pair(
    prep: Prepared,
    train_gold: Sequence[tuple[GoldRow, Finding]],
    weak_letters: set[str],
    score_letters: set[str],
    settings: cm.Settings,
    params: classify.Params,
) -> list[Pair]:
    models = classify.train_models(prep.corpus, train_gold, weak_letters, "", settings)
    classify.tag_rows(prep.corpus.subset(score_letters), models, params)
    return pairs_of([(g, f) for g, f in prep.matched if f.letter_id in score_letters], prep.fmt)


def frozen_test_run(
    prep: Prepared,
    settings: cm.Settings = cm.DEFAULT_SETTINGS,
    params: classify.Params = classify.DEFAULT_PARAMS,
) -> list[Pair]:
    """Train on development gold and every non-test letter's headings; pairs of test rows."""
    test = set(prep.letters_in("test"))
    dev_gold = [(g, f) for g, f in prep.matched if f.letter_id not in test]
    weak = {f.letter_id for f in prep.corpus.findings} - test
    return _tag_and_pair(prep, dev_gold, weak, test, settings, params)


def training_letters(
    dev: Sequence[str], held: set[str], share: float = 1.0, seed: int = 0
) -> set[str]:
    """The development letters a fold learns from: every one but the held ones, or a share of
    them drawn at random (``seed``), to see what more letters' gold would be worth."""
    rest = sorted(set(dev) - held)
    if not 0 < share <= 1:
        raise ValueError(f"share must be above 0 and at most 1, not {share}")
    if share == 1:
        return set(rest)
    return set(random.Random(seed).sample(rest, max(1, round(share * len(rest)))))


def fold_groups(dev: Sequence[str], folds: int | None) -> list[list[str]]:
    """The development letters held out together in each fold (None: one letter at a time)."""
    return [list(dev[i::folds]) for i in range(folds)] if folds else [[lid] for lid in dev]


def dev_cross_validation(
    prep: Prepared,
    settings: cm.Settings = cm.DEFAULT_SETTINGS,
    params: classify.Params = classify.DEFAULT_PARAMS,
    folds: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    share: float = 1.0,
    seed: int = 0,
) -> list[Pair]:
    """Each development letter tagged by models trained without it (``folds``: that many
    groups of letters instead of one letter at a time, for quicker tuning; ``share``: each
    fold learns from that share of the other development letters, training_letters)."""
    test = set(prep.letters_in("test"))
    dev = prep.letters_in("dev")
    groups = fold_groups(dev, folds)
    out: list[Pair] = []
    for k, held in enumerate(groups):
        held_set = set(held)
        learn = training_letters(dev, held_set, share, seed)
        left_out = test | (set(dev) - learn)
        train_gold = [(g, f) for g, f in prep.matched if f.letter_id not in left_out]
        weak = {f.letter_id for f in prep.corpus.findings} - left_out
        out += _tag_and_pair(prep, train_gold, weak, held_set, settings, params)
        if progress:
            progress(k + 1, len(groups))
    return out


def run(
    letters: Sequence[Letter],
    vectors: np.ndarray,
    gold: Sequence[GoldRow],
    split: dict[str, str],
    lolo: bool = True,
) -> dict:
    t0 = time.perf_counter()
    prep = prepare(letters, vectors, gold, split)
    test_pairs = frozen_test_run(prep)
    test_fig = score(test_pairs)
    by_format = {
        f: score([p for p in test_pairs if p.format == f])
        for f in sorted({p.format for p in test_pairs})
    }
    figures: dict = {
        "test": test_fig,
        "test_intervals": intervals(test_pairs),
        "test_by_format": by_format,
        "test_letters": sorted({p.letter for p in test_pairs}),
    }
    if lolo:
        figures["dev_leave_one_letter_out"] = score(dev_cross_validation(prep))
    parts = Counter(prep.part.get(f.letter_id, "") for _, f in prep.matched)
    figures.update(
        {
            "gold_rows": len(gold),
            "gold_letters": len({r.letter_file for r in gold}),
            "matched_rows": len(prep.matched),
            "match_rate": round(len(prep.matched) / len(gold), 4) if gold else None,
            "rows_dev": parts.get("dev", 0),
            "rows_test": parts.get("test", 0),
            "letters_dev": len(prep.letters_in("dev")),
            "letters_test": len(prep.letters_in("test")),
            "settings": asdict(cm.DEFAULT_SETTINGS),
            "params": asdict(classify.DEFAULT_PARAMS),
            "model_version": cm.MODEL_VERSION,
            "seconds": round(time.perf_counter() - t0, 1),
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
    )
    return figures


def targets_met(test: dict) -> dict[str, bool]:
    return {k: (test.get(k) or 0) >= v for k, v in TARGETS.items()}


def summary(figures: dict) -> str:
    t, ci = figures["test"], figures["test_intervals"]
    met = targets_met(t)
    lines = [
        f"gold: {figures['gold_rows']} rows in {figures['gold_letters']} letters, matched "
        f"{figures['matched_rows']} ({figures['match_rate']:.1%}); dev {figures['rows_dev']} "
        f"rows / {figures['letters_dev']} letters, frozen test {figures['rows_test']} rows / "
        f"{figures['letters_test']} letters",
        "frozen test letters (95% interval over letters):",
    ]
    for k in TARGETS:
        lo_hi = ci.get(k)
        span = f" [{lo_hi[0]}, {lo_hi[1]}]" if lo_hi else ""
        flag = " (goal met)" if met[k] else f" (GOAL {TARGETS[k]} MISSED)"
        lines.append(f"  {k}: {t.get(k)}{span}{flag}")
    lines.append(f"  topics_v1_micro_f1: {t.get('topics_v1_micro_f1')}")
    lines.append(
        f"  needs_review: {t['needs_review_share']} of sentences; accuracy when flagged "
        f"{t['accuracy_when_flagged']}, when not {t['accuracy_when_not_flagged']}"
    )
    for fmt, s in figures["test_by_format"].items():
        lines.append(
            f"  format {fmt}: n={s['n']}, s-vs-i {s['strength_vs_improvement_macro_f1']}, "
            f"agencies {s['agencies_micro_f1']}, topics {s['topics_micro_f1']}, perpetrator "
            f"{s['perpetrator_focus_f1']}"
        )
    lolo = figures.get("dev_leave_one_letter_out")
    if lolo:
        lines.append(
            "development letters, leave-one-letter-out: "
            + ", ".join(f"{k} {lolo.get(k)}" for k in TARGETS)
        )
    return "\n".join(lines)


def _table(rows: Sequence[tuple[str, object, str, object]]) -> str:
    out = ["| figure | frozen test | 95% interval | goal |", "|---|---|---|---|"]
    out += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    return "\n".join(out)


def _agreement_line(a: dict) -> str:
    if not a.get("rows"):
        return "No overlap labelled by a second reader."
    return (
        f"A second reader labelled {a['rows']} sentences of {a['letters']} letters "
        f"independently: label agreement {a['label_agreement']} (Cohen's kappa "
        f"{a['label_kappa']}), agencies F1 {a['agencies_f1']}, topics F1 {a['topics_f1']}, "
        f"perpetrator focus F1 {a['perpetrator_focus_f1']}."
    )


FORMAT_ROWS = {
    "n": "Sentences",
    "strength_vs_improvement_macro_f1": "Strength or area for improvement told apart (macro-F1)",
    "agencies_micro_f1": "Agencies (micro-F1)",
    "topics_micro_f1": "Topics (micro-F1)",
    "perpetrator_focus_f1": "Perpetrator focus (F1)",
}


def _named(name: str, code: str) -> str:
    """A table's row name for readers, with the code the exports and evaluation.json use."""
    return f"{name} (`{code}`)"


def _per_tag_table(kind: str, per_tag: dict[str, dict], name_of: Callable[[str], str]) -> str:
    rows = [
        f"| {_named(name_of(k), k)} | {v['f1']} | {v['precision']} | {v['recall']} | "
        f"{v['support']} |"
        for k, v in per_tag.items()
    ]
    return "\n".join(
        [f"| {kind} | F1 | precision | recall | test support |", "|---|---|---|---|---|", *rows]
    )


def render_model_card(figures: dict, template: Path = TEMPLATE) -> str:
    """The docs template with {placeholders} filled from the figures."""
    text = template.read_text(encoding="utf-8") if template.exists() else "{figures_table}\n"
    # The template's note to its editors is not for readers (the About page shows the card).
    text = re.sub(r"<!--.*?-->\s*", "", text, flags=re.S)
    t, ci = figures["test"], figures["test_intervals"]
    rows = [
        (_named(READABLE[k], k), t.get(k), "-".join(map(str, ci[k])) if k in ci else "", f">= {v}")
        for k, v in TARGETS.items()
    ]
    rows.append((_named(READABLE["topics_v1_micro_f1"], "topics_v1_micro_f1"),
                 t.get("topics_v1_micro_f1"), "", ""))  # fmt: skip
    rows.append((_named("Sentences flagged for review (share)", "needs_review_share"),
                 t.get("needs_review_share"), "", ""))  # fmt: skip
    # One column per format, a row per figure: three columns read on a phone, six did not.
    by_format = figures["test_by_format"]
    fmt = "\n".join(
        f"| {name} | " + " | ".join(str(s.get(key)) for s in by_format.values()) + " |"
        for key, name in FORMAT_ROWS.items()
    )
    lolo = figures.get("dev_leave_one_letter_out") or {}
    values = {
        "figures_table": _table(rows),
        "per_topic_table": _per_tag_table("topic", t["per_topic"], topic_name),
        "per_agency_table": _per_tag_table("agency", t["per_agency"], agency_name),
        "format_table": "| figure | "
        + " | ".join(f"format {f}" for f in by_format)
        + " |\n|---|"
        + "---|" * len(by_format)
        + "\n"
        + fmt,
        "lolo_line": ", ".join(f"{k} {lolo.get(k)}" for k in TARGETS) if lolo else "not run",
        "agreement_line": _agreement_line(figures.get("agreement") or {}),
        "gold_rows": figures["gold_rows"],
        "gold_letters": figures["gold_letters"],
        "rows_dev": figures["rows_dev"],
        "rows_test": figures["rows_test"],
        "letters_dev": figures["letters_dev"],
        "letters_test": figures["letters_test"],
        "review_threshold": figures["params"]["review_threshold"],
        "generated_at": figures["generated_at"],
    }
    for k, v in values.items():
        text = text.replace("{" + k + "}", str(v))
    return text


def write(figures: dict, out_dir: Path | None = None) -> Path:
    out_dir = out_dir or config.evaluation_dir()
    out_dir.mkdir(parents=True, exist_ok=True)
    figures = {**figures, "targets_met": targets_met(figures["test"])}
    (out_dir / "evaluation.json").write_text(json.dumps(figures, indent=2), encoding="utf-8")
    (out_dir / "model-card.md").write_text(render_model_card(figures), encoding="utf-8")
    return out_dir / "evaluation.json"
