"""OCOP batch traceability: merchants record batches, QR labels lead to a public trace page, scans are counted."""
