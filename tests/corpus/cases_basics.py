"""Corpus cases for errors that existed before the corpus: requirements files,
version files, Procfile, config vars, pyproject.toml and lock files."""

from __future__ import annotations

from corpus import Case

CASES: list = []
