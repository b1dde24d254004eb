"""The one six-digit code field: six ASCII digits, nothing else, whatever the anchor tricks."""

import pytest
from rest_framework import serializers

from apps.common.one_time_secrets import clean_code
from apps.common.serializers import CodeField


class CodeInput(serializers.Serializer):
    code = CodeField(message="Enter the code.")


class UntrimmedCodeInput(serializers.Serializer):
    code = CodeField(trim_whitespace=False, max_length=None)  # only the pattern decides


@pytest.mark.parametrize("value", ["123456", "000000", " 654321 "])
def test_six_digits_pass_and_come_out_as_six_digits(value):
    data = CodeInput(data={"code": value})
    assert data.is_valid(), data.errors
    assert data.validated_data["code"] == value.strip()


@pytest.mark.parametrize("value", ["12345", "1234567", "12a456", "١٢٣٤٥٦", "12345\n6", "", "123 456"])
def test_anything_else_is_refused_with_the_fields_message(value):
    data = CodeInput(data={"code": value})
    assert not data.is_valid()
    assert "code" in data.errors


def test_a_trailing_newline_is_refused_when_not_trimmed():
    # `^[0-9]{6}$` would accept "123456\n": `$` matches before a final newline, `\Z` does not
    data = UntrimmedCodeInput(data={"code": "123456\n"})
    assert not data.is_valid()
    assert data.errors["code"] == ["Enter the 6-digit code."]


@pytest.mark.parametrize(
    ("value", "cleaned"),
    [
        ("123456", "123456"),
        (" 123456\n", "123456"),
        ("123456\n7", ""),
        ("١٢٣٤٥٦", ""),
        (None, ""),
        (123456, ""),
    ],
)
def test_services_clean_codes_by_the_same_rule(value, cleaned):
    assert clean_code(value) == cleaned
