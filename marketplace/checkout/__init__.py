"""Checkout: the cart priced for today, the payment methods it can use, and placing it as one order per merchant.

It builds on carts, orders and payments; none of them imports it.
"""
