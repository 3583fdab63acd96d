"""The corpus as CSV files plus a data dictionary (datapackage.json), for researchers.

Column names are a contract (other tools read these files): letters.csv and findings.csv keep
the names and order below; new columns are only ever appended.
"""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import tempfile
from pathlib import Path

LETTERS_CSV_COLUMNS = [
    "letter_id",
    "urn",
    "local_authority",
    "la_code",
    "region",
    "published",
    "letter_date",
    "fieldwork_start",
    "fieldwork_end",
    "theme",
    "theme_phrase",
    "format",
    "inspectorates",
    "addressees",
    "n_strengths",
    "n_improvements",
    "n_priority_actions",
    "source_url",
    "sha256",
    "pages",
    "ons_code",
    "file_id",
]

FINDINGS_CSV_COLUMNS = [
    "finding_id",
    "letter_id",
    "section",
    "agency_section",
    "paragraph",
    "page",
    "position",
    "text",
    "label",
    "label_source",
    "label_confidence",
    "needs_review",
    "agencies",
    "topics",
    "subsection",
    "kind",
    "sentence",
    "key",
]

DESCRIPTIONS = {
    "letter_id": "Stable id of the letter: URN and publication date",
    "urn": "Ofsted unique reference number of the local authority children's services provider",
    "local_authority": "The area as the letter names it",
    "la_code": "DfE local authority code",
    "region": "Region name (from the LA lookup)",
    "published": "Publication date on the reports website (ISO)",
    "letter_date": "Date printed at the top of the letter (ISO)",
    "fieldwork_start": "First day of the inspection fieldwork (ISO)",
    "fieldwork_end": "Last day of the inspection fieldwork (ISO)",
    "theme": "Theme code (see docs/taxonomy.md)",
    "theme_phrase": "The letter's own words for its theme",
    "format": "A (2016-2020 letters) or B (2022 on)",
    "inspectorates": "Inspectorates taking part, ;-separated (HMIC is given as HMICFRS)",
    "addressees": "Kinds of body the letter is addressed to, ;-separated",
    "n_strengths": "Top-level bullets under the strengths heading (paragraphs if none)",
    "n_improvements": "Top-level bullets under the improvement heading (paragraphs if none)",
    "n_priority_actions": "Top-level bullets under the priority-action heading; 0 if none",
    "source_url": "Address of the PDF on Ofsted's file service, where known",
    "sha256": "Checksum of the PDF",
    "pages": "Pages in the PDF",
    "ons_code": "ONS code of the local authority",
    "file_id": "Id of the raw file under the data directory",
    "finding_id": "Id of the finding: letter id and position",
    "section": "Normalised section of the letter",
    "agency_section": "Agency named by the format A sub-heading the finding sits under",
    "paragraph": "Number of the bullet or paragraph within its section",
    "page": "Page of the PDF where the sentence starts",
    "position": "Reading order of the sentence within the letter",
    "text": "The sentence (Crown copyright, Open Government Licence v3.0)",
    "label": "strength | improvement | priority_action | context",
    "label_source": "heading (fixed by the section) or model (decided by the classifier)",
    "label_confidence": "Confidence in the label, 0-1",
    "needs_review": "True when the confidence is below the documented threshold",
    "agencies": "Agencies the sentence is about, ;-separated",
    "topics": "Topics of the sentence, ;-separated",
    "subsection": "Sub-heading the sentence sits under, as printed",
    "kind": "bullet | subbullet | paragraph",
    "sentence": "Number of the sentence within its bullet or paragraph",
    "key": "Short hash of the sentence's letters and digits (to match hand labels)",
}

_TYPES = {
    "n_strengths": "integer",
    "n_improvements": "integer",
    "n_priority_actions": "integer",
    "pages": "integer",
    "paragraph": "integer",
    "page": "integer",
    "position": "integer",
    "sentence": "integer",
    "label_confidence": "number",
    "needs_review": "boolean",
    "published": "date",
    "letter_date": "date",
    "fieldwork_start": "date",
    "fieldwork_end": "date",
}


def write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    """Write atomically: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _rows(conn: sqlite3.Connection, sql: str) -> list[dict]:
    out = []
    for r in conn.execute(sql):
        row = dict(r)
        if "needs_review" in row:
            row["needs_review"] = "true" if row["needs_review"] else "false"
        out.append(row)
    return out


def datapackage() -> dict:
    def schema(columns: list[str]) -> dict:
        return {
            "fields": [
                {"name": c, "type": _TYPES.get(c, "string"), "description": DESCRIPTIONS[c]}
                for c in columns
            ]
        }

    return {
        "name": "jtai-findings",
        "title": "Joint Targeted Area Inspection letters and their findings",
        "licenses": [
            {
                "name": "OGL-UK-3.0",
                "title": "Open Government Licence v3.0 (letter text, Crown copyright)",
            }
        ],
        "resources": [
            {"name": "letters", "path": "letters.csv", "schema": schema(LETTERS_CSV_COLUMNS)},
            {"name": "findings", "path": "findings.csv", "schema": schema(FINDINGS_CSV_COLUMNS)},
        ],
    }


def export(conn: sqlite3.Connection, out_dir: Path) -> dict[str, int]:
    letters = _rows(conn, "SELECT * FROM letters ORDER BY published, letter_id")
    findings = _rows(conn, "SELECT * FROM findings ORDER BY letter_id, position")
    write_csv(out_dir / "letters.csv", LETTERS_CSV_COLUMNS, letters)
    write_csv(out_dir / "findings.csv", FINDINGS_CSV_COLUMNS, findings)
    (out_dir / "datapackage.json").write_text(json.dumps(datapackage(), indent=2) + "\n")
    return {"letters": len(letters), "findings": len(findings)}
