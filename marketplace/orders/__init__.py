"""Checkouts and orders: the state machine, stock reservation, and the buyer's and merchant's views."""
