"""The officials' workspace: running consultations, reading the analysis, reviewing themes,
moderating, exporting and publishing. Every view loads what its URL names through
`consult.access`, which checks the official's role."""
