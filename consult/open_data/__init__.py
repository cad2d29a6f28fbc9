"""Open data: what the public pages show, in machine-readable form.

`queries` reads published consultations and outcomes (never drafts, never live counts) and the
responses whose authors agreed to publication; `schemas` describes each consultation, question and
outcome once and builds it, for the JSON API (`api`, with its OpenAPI documentation) and the JSON
bulk download of a published outcome (`downloads`, which adds the published responses, and gives
themes and responses as CSV too) alike; `feeds` gives Atom feeds and a calendar.
"""
