"""The open data catalogue: every public feed as a DCAT catalogue (JSON-LD) and as a page for people."""
