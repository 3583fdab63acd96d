"""Tags every finding: label (from its heading where the section fixes it), agencies, topics.

Placeholder contract for the classifier issue: ``tag_corpus(letters, retrain)`` tags the
findings in place and returns facts about the model for the database's meta table.
"""

from __future__ import annotations

from analysis.letter import Letter

HEADING_LABELS = {"priority_action": "priority_action"}


def tag_corpus(letters: list[Letter], retrain: bool = False) -> dict[str, str]:
    for letter in letters:
        for f in letter.findings:
            if f.section in HEADING_LABELS:
                f.label, f.label_source, f.label_confidence = HEADING_LABELS[f.section], "heading", 1.0
    return {"classifier": "none"}
