"""Writes that touch several models, named verb-first; views and tasks call these."""
