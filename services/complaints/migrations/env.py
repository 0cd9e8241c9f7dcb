from alembic import context
from sunlight.migrations import run_env

from complaints.models import metadata

run_env(metadata, context)
