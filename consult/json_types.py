"""A name for JSON values of no fixed shape, such as a JSONField holds."""

from typing import Any, TypeAlias

# A JSON object whose keys depend on what it records: an audit event's state before and after a
# change, a snapshot of a model's fields. Where the shape is fixed, a TypedDict names it instead.
JSONObject: TypeAlias = dict[str, Any]
