"""Accounts: signing in, two-factor authentication for officials and the admin, the account pages' wording."""
