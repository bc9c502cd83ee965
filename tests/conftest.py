from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO.parent / "shared" / "corpus" / "seeds"
SEED_000 = SEEDS / "000_6b079f111b9961ac.txt"


def seed_path(path: Path) -> Path:
    """The real corpus lives beside the repo (../shared); tests that need it skip without it."""
    if not path.exists():
        pytest.skip(f"real corpus not available at {path}")
    return path
