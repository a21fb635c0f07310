"""analyst accounts: users, server-side sessions, personal API tokens, audit trail, owned views,
alert subscriptions with their delivery outbox, notes on articles

saved_views get an owner (NULL for views saved before accounts: team views, as they were),
a visibility (private | team), the actor of their last change and the article-id mark of
their owner's last visit; names become unique per owner instead of globally (checked by
app/accounts/views.py; a unique index covers views that have an owner).

Revision ID: 204d95ef27c7
Revises: 00f16cf983c4
Create Date: 2026-12-06 23:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '204d95ef27c7'
down_revision = '00f16cf983c4'
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False, server_default='0'),
    sa.Column('locked_until', TZ, nullable=True),
    sa.Column('created_at', TZ, nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name', name='uq_users_name'),
    )
    op.create_table('user_sessions',
    sa.Column('id_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('csrf', sa.String(length=64), nullable=False),
    sa.Column('created_at', TZ, nullable=False),
    sa.Column('expires_at', TZ, nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id_hash'),
    )
    op.create_index('ix_user_sessions_user_id', 'user_sessions', ['user_id'])
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('created_at', TZ, nullable=False),
    sa.Column('last_used_at', TZ, nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash', name='uq_api_tokens_token_hash'),
    )
    op.create_index('ix_api_tokens_user_id', 'api_tokens', ['user_id'])
    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', TZ, nullable=False),
    sa.Column('actor', sa.String(length=120), nullable=False),
    sa.Column('action', sa.String(length=200), nullable=False),
    sa.Column('target', sa.Text(), nullable=True),
    sa.Column('status', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_audit_events_at', 'audit_events', ['at'])
    op.create_table('app_secrets',
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('value', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('name'),
    )
    op.create_table('alert_subscriptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('view_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('target', sa.String(length=2000), nullable=False),
    sa.Column('cadence', sa.String(length=10), nullable=False),
    sa.Column('format', sa.String(length=10), nullable=False),
    sa.Column('floor', sa.Integer(), nullable=False),
    sa.Column('query', sa.Text(), nullable=False),
    sa.Column('mark', sa.Integer(), nullable=False),
    sa.Column('next_digest_at', TZ, nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('last_error_at', TZ, nullable=True),
    sa.Column('last_sent_at', TZ, nullable=True),
    sa.Column('created_at', TZ, nullable=False),
    sa.ForeignKeyConstraint(['view_id'], ['saved_views.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_alert_subscriptions_view_id', 'alert_subscriptions', ['view_id'])
    op.create_index('ix_alert_subscriptions_user_id', 'alert_subscriptions', ['user_id'])
    op.create_table('alert_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subscription_id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('available_at', TZ, nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', TZ, nullable=False),
    sa.Column('sent_at', TZ, nullable=True),
    sa.ForeignKeyConstraint(['subscription_id'], ['alert_subscriptions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('subscription_id', 'article_id', name='uq_alert_deliveries_sub_article'),
    )
    op.create_index('ix_alert_deliveries_available_at', 'alert_deliveries', ['available_at'])
    op.create_table('notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('visibility', sa.String(length=10), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', TZ, nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_notes_article_id', 'notes', ['article_id'])
    op.create_index('ix_notes_user_id', 'notes', ['user_id'])
    # The initial migration left saved_views' unique constraint unnamed: PostgreSQL called it
    # saved_views_name_key; on SQLite the batch copy names it by this convention to drop it.
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        op.drop_constraint('saved_views_name_key', 'saved_views', type_='unique')
    with op.batch_alter_table('saved_views', naming_convention={
            'uq': 'uq_%(table_name)s_%(column_0_name)s'}) as batch_op:
        if bind.dialect.name == 'sqlite':
            batch_op.drop_constraint('uq_saved_views_name', type_='unique')
        batch_op.add_column(sa.Column('owner_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('visibility', sa.String(length=10), nullable=False,
                                      server_default='team'))
        batch_op.add_column(sa.Column('updated_at', TZ, nullable=True))
        batch_op.add_column(sa.Column('updated_by', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('opened_mark', sa.Integer(), nullable=False, server_default='0'))
        batch_op.create_foreign_key('fk_saved_views_owner_id', 'users', ['owner_id'], ['id'],
                                    ondelete='CASCADE')
        batch_op.create_index('ix_saved_views_owner_id', ['owner_id'])
        batch_op.create_index('ux_saved_views_owner_name', ['owner_id', 'name'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('saved_views') as batch_op:
        batch_op.drop_index('ux_saved_views_owner_name')
        batch_op.drop_index('ix_saved_views_owner_id')
        batch_op.drop_constraint('fk_saved_views_owner_id', type_='foreignkey')
        for column in ('opened_mark', 'updated_by', 'updated_at', 'visibility', 'owner_id'):
            batch_op.drop_column(column)
        # The names upgrade() drops: PostgreSQL's own, or the batch convention on SQLite.
        batch_op.create_unique_constraint(
            'saved_views_name_key' if op.get_bind().dialect.name == 'postgresql' else 'uq_saved_views_name',
            ['name'])
    op.drop_index('ix_notes_user_id', table_name='notes')
    op.drop_index('ix_notes_article_id', table_name='notes')
    op.drop_table('notes')
    op.drop_index('ix_alert_deliveries_available_at', table_name='alert_deliveries')
    op.drop_table('alert_deliveries')
    op.drop_index('ix_alert_subscriptions_user_id', table_name='alert_subscriptions')
    op.drop_index('ix_alert_subscriptions_view_id', table_name='alert_subscriptions')
    op.drop_table('alert_subscriptions')
    op.drop_table('app_secrets')
    op.drop_index('ix_audit_events_at', table_name='audit_events')
    op.drop_table('audit_events')
    op.drop_index('ix_api_tokens_user_id', table_name='api_tokens')
    op.drop_table('api_tokens')
    op.drop_index('ix_user_sessions_user_id', table_name='user_sessions')
    op.drop_table('user_sessions')
    op.drop_table('users')
