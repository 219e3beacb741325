"""Events and festivals: date ranges, yearly recurrence, a place, calendar feeds."""
