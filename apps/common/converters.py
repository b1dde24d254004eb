"""URL converter `<id:pk>`: a positive database id. At most 18 digits, so every match fits a 64-bit
integer and an absurd id is a plain 404 rather than an overflow inside the database driver."""

from django.urls import register_converter


class IdConverter:
    regex = "[1-9][0-9]{0,17}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")
