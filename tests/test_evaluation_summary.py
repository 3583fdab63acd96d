"""The headline figures in words, as the About page shows them."""

from __future__ import annotations

from analysis import evaluation_summary as summary


def test_headline_rows_say_value_interval_and_goal() -> None:
    figures = {
        "test": {"strength_vs_improvement_macro_f1": 0.95, "agencies_micro_f1": 0.8},
        "test_intervals": {"strength_vs_improvement_macro_f1": [0.91, 0.97]},
    }
    rows = {r["code"]: r for r in summary.headline(figures)}
    assert set(rows) == set(summary.READABLE)
    sv = rows["strength_vs_improvement_macro_f1"]
    assert (sv["on letters never trained on"], sv["95% interval"], sv["goal met"]) == (
        0.95,
        "0.910 to 0.970",
        "yes",
    )
    assert rows["agencies_micro_f1"]["goal met"] == "no"
    assert rows["topics_micro_f1"]["on letters never trained on"] is None
    assert rows["topics_v1_micro_f1"]["goal"] == ""  # reported, no goal
    assert all(summary.READABLE[k] for k in summary.TARGETS)


def test_empty_evaluation_gives_rows_without_values() -> None:
    rows = summary.headline({})
    assert rows and all(r["on letters never trained on"] is None for r in rows)
