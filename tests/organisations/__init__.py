"""Organisations that respond, following consultations and the emails that follow."""
