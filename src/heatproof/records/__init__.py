"""Database records of a workspace (SQLAlchemy models), their Alembic migrations, and the
repository functions that add and fetch them.

The repository is used as a module: ``from heatproof.records import repository as repo``.
"""

from heatproof.records.migrate import current_revisions, head_revision, upgrade_to_head
from heatproof.records.models import (
    OUTCOMES,
    RUN_KINDS,
    Base,
    Campaign,
    Design,
    ReactorUnit,
    Run,
    TestStand,
    Verdict,
)

__all__ = [
    "OUTCOMES",
    "RUN_KINDS",
    "Base",
    "Campaign",
    "Design",
    "ReactorUnit",
    "Run",
    "TestStand",
    "Verdict",
    "current_revisions",
    "head_revision",
    "upgrade_to_head",
]
