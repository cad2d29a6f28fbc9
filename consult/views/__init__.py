"""Views by audience: `public` (the public site), `organisations` (organisations and following)
and `workspace` (officials), with the error pages and rate limits they share."""
