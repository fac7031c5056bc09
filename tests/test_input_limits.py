"""Inputs at the extremes: a 1 MB line with no spaces, a 100,000-character question, a folder of files
the loader cannot read. Each gets bounded, plain handling instead of a giant chunk, a giant refusal or silence.
"""

from __future__ import annotations

import itertools
import random
import string
from pathlib import Path

import pytest

from app.core.codes import PracticeCodes
from app.core.config import ROOT
from app.core.corpus_profile import load_profile
from ingest.documents import load_document
from ingest.split import clean_document, split_document
from ingest.units import UnitBuilder
from tests.conftest import make_settings

MB = 1_000_000


def test_a_one_megabyte_line_without_spaces_is_cut_at_the_chunk_size(tmp_path: Path):
    rng = random.Random(7)
    line = "A" + "".join(rng.choice(string.ascii_letters + ".") for _ in range(MB - 2)) + "."
    path = tmp_path / "dump.txt"
    path.write_text(f"Data dump\n\nThe file below was exported without line breaks. {line}\n", encoding="utf-8")
    settings = make_settings(tmp_path / "data")
    profile = load_profile(ROOT / "corpus")
    codes = PracticeCodes.from_profile(profile)
    doc = load_document(path)
    clean = clean_document(doc, profile.headings)
    chunks = sorted(split_document(clean, doc, settings.index, codes), key=lambda c: c.char_start)
    size = settings.index.chunk_size
    assert max(len(c.text) for c in chunks) <= size
    assert len(chunks) >= MB // size
    # Nothing is lost: the chunks are the document's text and together cover the whole line.
    assert all(clean.text[c.char_start : c.char_end] == c.text for c in chunks)
    assert all(not clean.text[a.char_end : b.char_start].strip() for a, b in itertools.pairwise(chunks))
    start = clean.text.index(line[:50])
    assert chunks[0].char_start <= start and chunks[-1].char_end >= start + len(line)
    units = UnitBuilder(profile, codes, settings.index.min_sentence_chars).build(clean, doc.doc_id, doc.source_type, {})
    assert all(len(u.text) <= 2 * size for u in units)  # no million-character "sentence" to quote either


def _nonsense(rng: random.Random, capitalised: bool, length: int) -> str:
    words = []
    while sum(len(w) + 1 for w in words) < length:
        word = "".join(rng.choice("bcdfghjklmnpqrstvwxz") + rng.choice("aeiou") for _ in range(rng.randint(3, 5)))
        words.append(word.capitalize() if capitalised else word)
    return " ".join(words)[:length]


@pytest.mark.parametrize("capitalised", [True, False], ids=["names", "words"])
def test_a_100000_character_question_gets_a_short_refusal(assistant, capitalised):
    question = "How are integrated services funded in " + _nonsense(random.Random(3), capitalised, 100_000) + "?"
    answer = assistant.ask(question)
    assert not answer.supported
    assert len(answer.answer_markdown) < 300 and "at most 2,000 characters" in answer.answer_markdown, answer.answer_markdown[
        :400
    ]


def test_a_folders_unsupported_files_and_subfolders_each_get_a_report_line(tmp_path: Path, monkeypatch, capsys):
    from app.cli import main

    corpus = tmp_path / "corpus"
    (corpus / "documents").mkdir(parents=True)
    (corpus / "practices").mkdir()
    folder = tmp_path / "mine"
    (folder / "old-drafts").mkdir(parents=True)
    (folder / "report.docx").write_bytes(b"PK\x03\x04 not really a docx")
    (folder / "slides.pptx").write_bytes(b"PK\x03\x04")
    (folder / "card.yml").write_text("code: FI5\n", encoding="utf-8")
    (folder / ".DS_Store").write_bytes(b"\x00")
    monkeypatch.setenv("JOINEDUP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("JOINEDUP_CORPUS_DIR", str(corpus))
    monkeypatch.delenv("CHROMA_HOST", raising=False)
    assert main(["ingest", "--quiet", str(folder)]) == 0
    lines = {line.split()[1]: line for line in capsys.readouterr().out.splitlines() if line.startswith("skipped")}
    assert set(lines) == {"report.docx", "slides.pptx", "card.yml", "old-drafts"}  # hidden files are not reported
    assert "skipped" in lines["report.docx"] and ".docx is not supported; convert to PDF or text" in lines["report.docx"]
    assert ".pptx is not supported" in lines["slides.pptx"]
    assert ".yaml" in lines["card.yml"]
    assert "folder" in lines["old-drafts"]
