"""Whether an API token reads the applicants' identity and contact data unmasked (issue 11):
``api_tokens.personal_data``, issued explicitly (``govflow token create --personal-data``,
the API's and the administrator's page's token forms), never by default.

Every token issued before this migration gets ``false``: least privilege. Such a token
reads applicants' data masked and downloads no notice from now on, even the token of an
integration that read them in full yesterday; an administrator who finds that an
integration needs them issues it a new token with the permission (and revokes the old).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-09
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "api_tokens",
        sa.Column("personal_data", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    op.drop_column("api_tokens", "personal_data")
