"""Prompt templates live in prompts/ as text files, one per purpose, loaded by name."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from app.core.config import ROOT


@lru_cache(maxsize=16)
def load_prompt(name: str, folder: Path = ROOT / "prompts") -> str:
    """The template ``prompts/<name>.txt``; ``str.format`` fields are filled by the caller."""
    path = folder / f"{name}.txt"
    if not path.exists():
        raise FileNotFoundError(f"prompt template {path} is missing")
    return path.read_text(encoding="utf-8")
