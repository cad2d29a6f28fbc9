"""`python -m bench.faults`: the production stack on this machine under faults (worker kills,
Redis and PostgreSQL restarts) while respondents send responses through the real forms; counts
what was lost, sent twice or analysed twice. See bench/faults/__main__.py."""
