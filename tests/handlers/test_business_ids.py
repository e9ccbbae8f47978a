"""Tax codes and mobile numbers as people type them: read to digits, or refused with a Vietnamese reason."""

from __future__ import annotations

import pytest

from handlers.business_ids import (
    BusinessIdError,
    format_mobile,
    format_tax_code,
    read_mobile,
    read_tax_code,
    tax_check_digit,
)


@pytest.mark.parametrize(
    "typed, digits",
    [
        ("0100233488", "0100233488"),  # an enterprise (python-stdnum's example of a valid code)
        ("01.00.233.488", "0100233488"),
        (" 0100 233 488 ", "0100233488"),
        ("0314409058-002", "0314409058002"),  # a branch: 10 + 3
        ("0314409058002", "0314409058002"),
        ("001234567890", "001234567890"),  # the 12-digit personal number of a household business
        ("5702215220", "5702215220"),  # a Quảng Ninh enterprise code (province prefix 57)
    ],
)
def test_valid_tax_codes_come_back_as_digits(typed, digits):
    assert read_tax_code(typed) == digits


@pytest.mark.parametrize(
    "typed, words",
    [
        ("", "chưa gõ mã số thuế"),
        ("MST0100233488", "không có chữ cái"),
        ("01002334#8", "chỉ gồm chữ số"),
        ("010023348", "bạn vừa gõ 9 chữ số"),
        ("01002334881", "bạn vừa gõ 11 chữ số"),
        ("1" * 3000, "bạn vừa gõ 3000 chữ số"),
        ("0100233480", "chữ số cuối không khớp"),  # one digit wrong
        ("0101234567-001", "0101234567-001 không đúng"),
        ("0100233488-000", "từ 001 đến 999"),
    ],
)
def test_bad_tax_codes_are_refused_in_vietnamese(typed, words):
    with pytest.raises(BusinessIdError, match=words):
        read_tax_code(typed)


def test_the_check_digit_rule():
    # 31·0 + 29·1 + 23·0 + 19·0 + 17·2 + 13·3 + 7·3 + 5·4 + 3·8 = 167; 167 mod 11 = 2; 10 − 2 = 8.
    assert tax_check_digit("010023348") == 8
    assert format_tax_code("0314409058002") == "0314409058-002"
    assert format_tax_code("0100233488") == "0100233488"


def test_a_first_nine_that_call_for_ten_has_no_valid_code():
    nine = next(f"{n:09d}" for n in range(10**6) if tax_check_digit(f"{n:09d}") is None)
    for last in "0123456789":
        with pytest.raises(BusinessIdError):
            read_tax_code(nine + last)


@pytest.mark.parametrize(
    "typed",
    ["0912345678", "0912 345 678", "0912.345.678", "0912-345-678", "+84 912 345 678", "+84912345678",
     "84912345678", "(+84) 912 345 678", "+84 0912 345 678"],
)  # fmt: skip
def test_mobile_numbers_in_any_usual_writing(typed):
    assert read_mobile(typed) == "0912345678"


@pytest.mark.parametrize("prefix", ["03", "05", "07", "08", "09"])
def test_every_mobile_prefix_is_accepted(prefix):
    assert read_mobile(f"{prefix}12345678") == f"{prefix}12345678"


@pytest.mark.parametrize(
    "typed, words",
    [
        ("", "chưa gõ số điện thoại"),
        ("09I2 345 678", "không có chữ cái"),
        ("không có", "không có chữ cái"),
        ("0912*345*678", "chỉ gồm chữ số"),
        ("091234567", "bạn vừa gõ 9 chữ số"),
        ("09123456789", "bạn vừa gõ 11 chữ số"),
        ("0203 3825 123", "số máy bàn"),
        ("0112345678", "0112 345 678 không thuộc đầu số"),
        ("0" * 200, "bạn vừa gõ 200 chữ số"),
    ],
)
def test_bad_phone_numbers_are_refused_in_vietnamese(typed, words):
    with pytest.raises(BusinessIdError, match=words):
        read_mobile(typed)


def test_a_number_is_written_back_in_groups():
    assert format_mobile("0912345678") == "0912 345 678"
