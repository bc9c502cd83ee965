"""What derived rows were computed by: a hash of the parser version and of the files matching some patterns.

Light on purpose (hashlib only): the audit ledger, the dbt build stamp, the hold fingerprint and the no-change
check of `fiscal refresh` (which must answer in about a second) all hash the repository's files with it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ingest import PARSER_VERSION

REPO_ROOT = Path(__file__).resolve().parent.parent


def files_fingerprint(patterns: tuple[str, ...], root: Path = REPO_ROOT) -> str:
    """Hash of the parser version and the files matching ``patterns``: what derived rows were computed by."""
    digest = hashlib.sha256(PARSER_VERSION.encode())
    for pattern in patterns:
        for path in sorted(root.glob(pattern)):
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
