"""The PDF edge against bad input: every kind of file a researcher might feed it is refused
with a reason a person can act on, or read whole; never a crash, never part of a file."""

from __future__ import annotations

from pathlib import Path

import pytest
from bad_pdfs import encrypted, scanned
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis import pdftext

LEWISHAM = "80508-lewisham-2023-01-31.pdf"


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_a_whole_letter_is_read(letters_dir: Path) -> None:
    text = pdftext.extract(letters_dir / LEWISHAM)
    assert text.pages == 8
    assert len(text.lines) > 200
    assert {ln.page for ln in text.lines} == set(range(1, 9))


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "does not start with %PDF-"),
        (bytes(range(256)) * 40, "does not start with %PDF-"),
        (b"<!DOCTYPE html><html><body>Service unavailable</body></html>", "an HTML page"),
        (b"%PDF-1.7\n" + b"\0" * 100, "truncated PDF"),
        (b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n", "not a readable PDF"),
    ],
    ids=["zero-byte", "random bytes", "html", "header only", "no pages"],
)
def test_bad_files_are_refused_with_a_reason(tmp_path: Path, data: bytes, reason: str) -> None:
    with pytest.raises(pdftext.UnreadablePdf, match=reason):
        pdftext.extract(_write(tmp_path, "bad.pdf", data))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=st.binary(max_size=4096), header=st.sampled_from([b"", b"%PDF-1.4\n"]))
def test_random_bytes_never_crash(tmp_path: Path, body: bytes, header: bytes) -> None:
    path = _write(tmp_path, "fuzz.pdf", header + body + b"\n%%EOF\n")
    try:
        text = pdftext.extract(path)
    except pdftext.UnreadablePdf as exc:
        assert str(exc)
    else:  # pdfium may repair anything; then what comes back is still well formed
        assert text.pages >= 1


def test_every_cut_of_a_letter_is_refused(tmp_path: Path, letters_dir: Path) -> None:
    data = (letters_dir / LEWISHAM).read_bytes()
    for fraction in (0.05, 0.25, 0.5, 0.75, 0.95, 0.999):
        cut = _write(tmp_path, "cut.pdf", data[: int(len(data) * fraction)])
        with pytest.raises(pdftext.UnreadablePdf, match="truncated PDF"):
            pdftext.extract(cut)


def test_a_password_protected_pdf_is_named_encrypted(tmp_path: Path, letters_dir: Path) -> None:
    path = _write(tmp_path, "locked.pdf", encrypted(letters_dir / LEWISHAM))
    with pytest.raises(pdftext.UnreadablePdf, match="encrypted PDF"):
        pdftext.extract(path)


def test_a_pdf_encrypted_only_against_editing_is_read(tmp_path: Path, letters_dir: Path) -> None:
    # Owner-password-only encryption (print/copy permissions) still opens without a password.
    path = _write(tmp_path, "permissions.pdf", encrypted(letters_dir / LEWISHAM, user_password=""))
    plain = pdftext.extract(letters_dir / LEWISHAM)
    assert pdftext.extract(path).lines == plain.lines


def test_a_scanned_page_is_named_image_only(tmp_path: Path) -> None:
    path = _write(tmp_path, "scan.pdf", scanned("Joint targeted area inspection"))
    with pytest.raises(pdftext.UnreadablePdf, match="image-only"):
        pdftext.extract(path)
