"""Tourism: attractions, events and trips. Never imports marketplace."""
