"""Accounts: users, roles, sign-up/in/out, server-side sessions, API tokens and the login rate limit."""
