"""The public site: consultations, the respondent's journey, data rights and the Welsh pages."""
