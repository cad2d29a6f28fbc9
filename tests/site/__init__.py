"""The site as a whole: error pages, every address, security headers, settings, logs, the cache."""
