"""gunicorn settings: `gunicorn config.wsgi -c config/gunicorn.py`. The access log goes to
standard output with capability links and references scrubbed (config/log_scrubbing.py)."""

accesslog = "-"
logger_class = "config.log_scrubbing.ScrubbingGunicornLogger"
