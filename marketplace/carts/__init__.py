"""Carts: one per anonymous visitor (a random token in a cookie) or signed-in user; merged at sign-in."""
