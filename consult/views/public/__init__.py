"""The public site's views: consultations and their outcomes, responding, a respondent's data
rights and the information pages. Organisations and following live in `views.organisations`."""
