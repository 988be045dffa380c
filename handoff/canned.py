"""Canned responses for the agent UI's composer: one YAML file per language in handoff/canned/.

Read once and checked at start: a broken file stops the service with a message naming the file and
the entry, rather than leaving agents with an empty list.
"""
from pathlib import Path
from typing import Dict, List

import yaml

from handoff.packets import LANGUAGES

CANNED_DIR = Path(__file__).with_name("canned")


class CannedError(ValueError):
    pass


def _read(path: Path) -> List[Dict[str, str]]:
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except (OSError, yaml.YAMLError) as error:
        raise CannedError(f"{path}: cannot read it: {error}") from None
    if not isinstance(entries, list):
        raise CannedError(f"{path}: must be a list of {{title, text}} entries")
    for number, entry in enumerate(entries, start=1):
        if not (isinstance(entry, dict) and set(entry) == {"title", "text"}
                and all(isinstance(entry[field], str) and entry[field].strip() for field in entry)):
            raise CannedError(f"{path}, entry {number}: needs exactly a non-empty 'title' and 'text'")
    return entries


def load_canned(directory: Path = CANNED_DIR) -> Dict[str, List[Dict[str, str]]]:
    """{language: [{title, text}]}; a language without a file has no canned responses."""
    return {language: _read(directory / f"{language}.yml") if (directory / f"{language}.yml").exists() else []
            for language in LANGUAGES}
