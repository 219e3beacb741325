"""Account life: e-mail verification, password reset by a single-use link, phone codes (verification and
sign-in). Links and codes are sent through the notifications outbox; only their hashes are stored."""
