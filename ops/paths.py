"""Where things live on disk. Everything under RUN_DIR and CACHE_DIR is ignored by git."""
from pathlib import Path
import os

ROOT = Path(__file__).resolve().parent.parent
# Data, logs, pid files and dev secrets of the local servers.
RUN_DIR = Path(os.environ.get("CS_RUN_DIR", ROOT / ".run")).resolve()
# Jars fetched by Maven (see ops/jars/*.pom.xml).
CACHE_DIR = Path(os.environ.get("CS_CACHE_DIR", ROOT / ".cache")).resolve()
DEV_ENV_FILE = RUN_DIR / "dev.env"
