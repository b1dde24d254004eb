"""Example values built from a schema, so every operation documents a request and a success example."""

NAMED = {
    "email": "ann@example.com",
    "new_email": "ann.new@example.com",
    "password": "Correct-Horse-9",
    "current_password": "Correct-Horse-9",
    "new_password": "Battery-Staple-7",
    "new_password_confirm": "Battery-Staple-7",
    "password_confirm": "Correct-Horse-9",
    "code": "123456",
    "first_name": "Ann",
    "last_name": "Lee",
    "name": "Rent",
    "currency": "EUR",
    "time_zone": "Europe/Berlin",
    "message": "Done.",
    "error": "Why it was refused.",
}
FORMATS = {
    "email": "ann@example.com",
    "date": "2026-12-01",
    "date-time": "2026-12-01T09:00:00Z",
    "uuid": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "uri": "https://api.kinwise.example/api/v1/bills/?page=2",
    "decimal": "12.50",
}


def _resolve(schema, components):
    while isinstance(schema, dict) and "$ref" in schema:
        schema = components.get(schema["$ref"].rsplit("/", 1)[-1], {})
    return schema


def example_for(schema, components, *, request=False, name="", depth=0):
    schema = _resolve(schema, components)
    if not isinstance(schema, dict) or depth > 6:
        return None
    for key in ("oneOf", "anyOf", "allOf"):
        if schema.get(key):
            return example_for(schema[key][0], components, request=request, name=name, depth=depth + 1)
    if "example" in schema:
        return schema["example"]
    if schema.get("enum"):
        return next((value for value in schema["enum"] if value not in (None, "")), schema["enum"][0])
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        value = {}
        for prop, sub in schema.get("properties", {}).items():
            resolved = _resolve(sub, components)
            if request and isinstance(resolved, dict) and resolved.get("readOnly"):
                continue
            if not request and isinstance(resolved, dict) and resolved.get("writeOnly"):
                continue
            item = example_for(sub, components, request=request, name=prop, depth=depth + 1)
            if item is not None or not request:
                value[prop] = item
        return value
    if kind == "array":
        item = example_for(schema.get("items", {}), components, request=request, name=name, depth=depth + 1)
        return [] if item is None else [item]
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return True
    if kind == "string":
        if schema.get("format") in FORMATS:
            return FORMATS[schema["format"]]
        if name in NAMED:
            return NAMED[name]
        if "pattern" in schema and "0-9" in schema["pattern"]:
            return "123456" if "6" in schema["pattern"] else "12.50"
        return "string"
    return None
