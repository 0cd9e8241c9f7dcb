from alembic import context
from funds.models import metadata
from sunlight.migrations import run_env

run_env(metadata, context)
