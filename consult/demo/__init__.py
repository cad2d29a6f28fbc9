"""The demo: invented departments, consultations and responses that `manage.py load_demo` loads.

Every word here is the project's own writing. The responses are composed from hand-written
fragments with a seeded random generator, so every load produces the same text.
"""
