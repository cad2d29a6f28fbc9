"""The demo: loading it, analysing it and its published outcome."""
