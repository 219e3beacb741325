"""Assisted onboarding by community digital-technology teams, and the audit log of agents' actions."""
