"""Tourists' feedback: report a problem or a suggestion about an attraction, a shop or a spot, and follow it."""
