"""Views for organisations that respond (registering, members, invitations, responding on an
organisation's behalf, reports of falsely sent responses) and for following consultations and
departments."""
