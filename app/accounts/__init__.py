"""Analyst accounts: users with roles, sessions, personal API tokens, an audit trail."""
