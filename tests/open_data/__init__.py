"""Open data: the JSON API, its schema, the bulk downloads and the feeds."""
