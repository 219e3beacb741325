"""Merchants: profiles, self-service onboarding, approval, OCOP certification and access rules."""
