"""Reads for pages: each module answers what one audience's pages show, and none of them writes.

The public site's reads (`public`, `data_rights`, `following`, `organisations`, `outcome`) sit
here; the officials' (dashboards, drill-down, review, moderation, exports) in `workspace`. Two
modules are shared by both: `themes` decides which themes are in force and which answers they
hold, and `counting` which answers count and how shares are drawn. Counts too slow for a page
are kept for a minute in `kept_counts`.
"""
