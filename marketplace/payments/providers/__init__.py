"""The payment providers behind one protocol (`protocol.py`): Stripe, VietQR bank transfer, cash on delivery.

`vietqr.py` builds the EMVCo/NAPAS payload and its QR code; `bank_transfer.py` is the provider that uses it.
Every Stripe SDK call is in `stripe.py`.
"""
