"""Marketplace: merchants, catalog, orders, payments, accounts and the platform that composes every package."""
