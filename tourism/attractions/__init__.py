"""Attractions: places tourists visit, with hours, fees, photos and a verified-on date."""
