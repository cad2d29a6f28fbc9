"""`make bench-web`: workspace pages at 100,000 responses and the respondent's submission step,
measured with locust against gunicorn and PostgreSQL on this machine. Run `python -m bench.web`."""
