"""Open data: what the public pages show, in machine-readable form.

`queries` reads published consultations and outcomes (never drafts, never live counts); `schemas`
describes them once, for the JSON API (`api`, with its OpenAPI documentation) and the bulk
downloads of a published outcome (`downloads`) alike; `feeds` gives Atom feeds and a calendar.
"""
