from alembic import context
from sunlight.migrations import run_env

from approvals.models import metadata

run_env(metadata, context)
