"""The officials' forms: managing a consultation, the analysis pages' filters, theme review,
moderation and publishing the outcome."""
