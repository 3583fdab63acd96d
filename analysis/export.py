"""The corpus as CSV files plus a data dictionary (datapackage.json), for researchers.

Column names are a contract (other tools read these files): letters.csv and findings.csv keep
the names and order below; new columns are only ever appended.

The three files are one set: they are written into a hidden folder beside their place and
moved in only once all three are complete, so a killed export leaves the previous set as it
was (and its leftover folder is removed by the next export). Files of the same names already
there are replaced only when asked (``overwrite``).

Every text cell a spreadsheet would run as a formula is neutralised (``spreadsheet_safe``).
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

import pandas as pd

EXPORT_FILES = ("letters.csv", "findings.csv", "datapackage.json")
_STAGING_PREFIX = ".export-"
_STAGING_SUFFIX = ".part"

# OWASP's "CSV injection": a cell starting with one of these is run by a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NEUTRALISED_NOTE = (
    "Text cells that begin with =, +, -, @, a tab or a carriage return are written with a "
    "leading apostrophe (') so that a spreadsheet shows them as text instead of running them "
    "as formulas (OWASP, CSV injection); remove it to get the value as stored."
)


class WouldOverwrite(FileExistsError):
    """The target folder already holds files of the export's names."""


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


def spreadsheet_safe(value: object) -> object:
    """``value`` as a spreadsheet will show it and never run it: text starting with a
    formula character gets a leading apostrophe; anything else (numbers too) is unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def spreadsheet_safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with every text cell (and column name) passed through
    ``spreadsheet_safe``: what the dashboard's downloads write."""
    out = df.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(spreadsheet_safe)
    out.columns = [spreadsheet_safe(c) for c in out.columns]
    return out


def write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows({k: spreadsheet_safe(v) for k, v in row.items()} for row in rows)
        fh.flush()
        os.fsync(fh.fileno())


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
        "description": NEUTRALISED_NOTE,
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


def remove_leftovers(out_dir: Path) -> int:
    """Delete the staging folders of exports killed before they finished; returns how many."""
    if not out_dir.is_dir():
        return 0
    leftovers = [p for p in out_dir.glob(f"{_STAGING_PREFIX}*{_STAGING_SUFFIX}") if p.is_dir()]
    for p in leftovers:
        shutil.rmtree(p, ignore_errors=True)
    return len(leftovers)


def existing_files(out_dir: Path) -> list[str]:
    """The export's file names already present in ``out_dir``."""
    return [name for name in EXPORT_FILES if (out_dir / name).exists()]


def export(conn: sqlite3.Connection, out_dir: Path, overwrite: bool = False) -> dict[str, int]:
    """Write the set into ``out_dir``, all or nothing. Raises WouldOverwrite (before any
    work) when files of the export's names are there and ``overwrite`` is not set."""
    out_dir.mkdir(parents=True, exist_ok=True)
    present = existing_files(out_dir)
    if present and not overwrite:
        raise WouldOverwrite(
            f"{out_dir} already holds {', '.join(present)}: pass --force to replace "
            "them, or export into another folder"
        )
    remove_leftovers(out_dir)
    staging = Path(tempfile.mkdtemp(dir=out_dir, prefix=_STAGING_PREFIX, suffix=_STAGING_SUFFIX))
    try:
        letters = _rows(conn, "SELECT * FROM letters ORDER BY published, letter_id")
        findings = _rows(conn, "SELECT * FROM findings ORDER BY letter_id, position")
        write_csv(staging / "letters.csv", LETTERS_CSV_COLUMNS, letters)
        write_csv(staging / "findings.csv", FINDINGS_CSV_COLUMNS, findings)
        (staging / "datapackage.json").write_text(json.dumps(datapackage(), indent=2) + "\n")
        # All three are complete on disk: only now do they replace the old set, by renames
        # within one folder (a moment, against the minutes a write of the set can take).
        for name in EXPORT_FILES:
            os.replace(staging / name, out_dir / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return {"letters": len(letters), "findings": len(findings)}
