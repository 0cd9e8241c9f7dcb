from alembic import context
from sunlight.migrations import run_env
from tenders.models import metadata

run_env(metadata, context)
