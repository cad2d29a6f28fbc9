"""consult: public consultations on proposed government AI deployments (see the README)."""
