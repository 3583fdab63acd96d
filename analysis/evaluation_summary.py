"""The classifier's goals and its headline figures in words: what the About page shows.

Kept apart from analysis.evaluate so that a page can read evaluation.json without loading
scikit-learn and the models.
"""

from __future__ import annotations

# The goals the tags must meet on letters never seen (issue: tags that hold on unseen letters).
TARGETS = {
    "strength_vs_improvement_macro_f1": 0.93,
    "strength_precision_mixed_ok": 0.88,
    "improvement_precision_mixed_ok": 0.88,
    "context_recall": 0.5,
    "perpetrator_focus_f1": 0.80,
    "agencies_micro_f1": 0.85,
    "topics_micro_f1": 0.75,
}


READABLE = {
    "strength_vs_improvement_macro_f1": "Strength or area for improvement told apart (macro-F1)",
    "strength_precision_mixed_ok": "Sentences tagged strength that are strengths (precision)",
    "improvement_precision_mixed_ok": "Sentences tagged area for improvement that are (precision)",
    "context_recall": "Context sentences recognised as context (recall)",
    "perpetrator_focus_f1": "Perpetrator focus tagged right (F1)",
    "agencies_micro_f1": "Agencies tagged right (micro-F1)",
    "topics_micro_f1": "Topics tagged right, all 15 (micro-F1)",
    "topics_v1_micro_f1": "Topics tagged right, the 8 of version 1 (micro-F1)",
}


def headline(figures: dict) -> list[dict[str, object]]:
    """The frozen test figures a reader needs, in words: one row per figure."""
    t, ci = figures.get("test") or {}, figures.get("test_intervals") or {}
    out = []
    for key, name in READABLE.items():
        goal = TARGETS.get(key)
        value = t.get(key)
        out.append(
            {
                "figure": name,
                "on letters never trained on": value,
                "95% interval": f"{ci[key][0]:.3f} to {ci[key][1]:.3f}" if key in ci else "",
                "goal": f"at least {goal}" if goal else "",
                "goal met": ("yes" if (value or 0) >= goal else "no") if goal else "",
                "code": key,
            }
        )
    return out
