"""Trips: stops a visitor saves, a nearest-neighbour day plan, a read-only share link."""
