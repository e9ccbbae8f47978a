"""A business's tax code and a contact's mobile number, read from what a person typed, or refused in Vietnamese."""

from __future__ import annotations

import re

# Tax codes (mã số thuế):
# - 10 digits for an enterprise; 13 = those 10 and a 3-digit suffix (001–999) for a branch, often typed with
#   a dash ("0100233488-001"). The 10th digit checks the first nine: weights 31, 29, 23, 19, 17, 13, 7, 5, 3,
#   check digit = 10 − (weighted sum mod 11); a number for which that comes to 10 is never issued. Found in
#   python-stdnum, stdnum/vn/mst.py (github.com/arthurdejong/python-stdnum; examples 0100233488 valid,
#   0100233480 invalid), which cites vi.wikipedia.org «Thuế Việt Nam», mục «Mã số thuế của doanh nghiệp».
# - 12 digits: since 01/7/2025 the personal identification number (số định danh cá nhân, 12 digits, Bộ Công an)
#   of a household business's representative serves as its tax code (Thông tư 86/2024/TT-BTC of 23/12/2024;
#   baohaiduong.vn, «Sẽ sử dụng số định danh cá nhân thay cho mã số thuế»). No check-digit rule is published
#   for it, so only its length is checked.
TAX_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
# Mobile numbers: 10 digits, "0" and a network code. The 11-digit numbers moved to 03x (Viettel), 07x
# (MobiFone), 08x (VinaPhone) and 05x (Vietnamobile, Gmobile) between 15/9/2018 and 30/6/2019 (Bộ Thông tin và
# Truyền thông; thaibinh.gov.vn, «Chuyển đổi thuê bao di động 11 số thành 10 số từ 15/9/2018», 06/06/2018);
# the 09x numbers were 10 digits already. Landlines start with 02 (0203 in Quảng Ninh).
MOBILE_PREFIXES = ("03", "05", "07", "08", "09")
SEPARATORS = re.compile(r"[\s.\-–—/()]+")
MAX_TYPED = 40  # characters: past this it is not a code or a number someone typed, and is not echoed back

TAX_EMPTY = "Bạn chưa gõ mã số thuế. Mã số thuế gồm 10 chữ số (ví dụ 0100233488)."
TAX_LETTERS = "Mã số thuế chỉ gồm chữ số, không có chữ cái. Bạn kiểm tra lại giúp, ví dụ 0100233488."
TAX_LENGTH = (
    "Mã số thuế có 10 chữ số (doanh nghiệp), 13 chữ số (chi nhánh: 10 chữ số của doanh nghiệp và 3 chữ số "
    "đuôi, ví dụ 0100233488-001) hoặc 12 chữ số (số định danh cá nhân của chủ hộ kinh doanh); "
    "bạn vừa gõ {count} chữ số."
)
TAX_CHECK = (
    "Mã số thuế {code} không đúng: chữ số cuối không khớp với 9 chữ số đầu (có thể gõ nhầm một số). "
    "Bạn đối chiếu lại với giấy chứng nhận đăng ký doanh nghiệp giúp."
)
TAX_SYMBOLS = "Mã số thuế chỉ gồm chữ số (có thể cách nhau bằng dấu cách, dấu chấm hoặc gạch ngang), ví dụ 0100233488."
TAX_BRANCH = "Ba chữ số đuôi của mã chi nhánh đi từ 001 đến 999, không thể là 000."
PHONE_EMPTY = "Bạn chưa gõ số điện thoại. Số di động gồm 10 chữ số, ví dụ 0912 345 678."
PHONE_LETTERS = "Số điện thoại không có chữ cái. Bạn gõ lại chỉ bằng chữ số, ví dụ 0912 345 678."
PHONE_SYMBOLS = "Số điện thoại chỉ gồm chữ số (có thể có +84 ở đầu, dấu cách, dấu chấm), ví dụ 0912 345 678."
PHONE_SHAPE = (
    "Số di động Việt Nam có 10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09 (ví dụ 0912 345 678 hoặc "
    "+84 912 345 678); bạn vừa gõ {count} chữ số."
)
PHONE_LANDLINE = (
    "Số bắt đầu bằng 02 là số máy bàn. Bạn cho một số di động (bắt đầu bằng 03, 05, 07, 08 hoặc 09) để cán bộ "
    "gọi hoặc nhắn lại được."
)
PHONE_PREFIX = "Số di động Việt Nam bắt đầu bằng 03, 05, 07, 08 hoặc 09; số {number} không thuộc đầu số nào trong đó."


class BusinessIdError(ValueError):
    """What is wrong with a typed tax code or phone number; its message is Vietnamese, ready to show."""


def _digits(typed: str, messages: tuple[str, str, str], plus: bool = False) -> str:
    """The digits of `typed` once separators are gone (and a leading "+" where `plus`); BusinessIdError with
    the (empty, letters, other symbols) message that fits otherwise."""
    empty, letters, symbols = messages
    text = SEPARATORS.sub("", (typed or "").strip())
    if not text:
        raise BusinessIdError(empty)
    if any(ch.isalpha() for ch in text):
        raise BusinessIdError(letters)
    bare = text[1:] if plus and text.startswith("+") else text
    # Full-width or other scripts' digits are refused too: staff dial and file these as typed.
    if not bare.isascii() or not bare.isdigit():
        raise BusinessIdError(symbols)
    return text


def tax_check_digit(first_nine: str) -> int | None:
    """The 10th digit the first nine call for; None when the rule gives 10 (a number never issued)."""
    check = 10 - sum(w * int(d) for w, d in zip(TAX_WEIGHTS, first_nine, strict=True)) % 11
    return check if check < 10 else None


def read_tax_code(typed: str) -> str:
    """The tax code as digits only (10, 13 or 12 of them); BusinessIdError saying what is wrong otherwise."""
    digits = _digits(typed, (TAX_EMPTY, TAX_LETTERS, TAX_SYMBOLS))
    if len(digits) == 12:
        return digits
    if len(digits) not in (10, 13):
        raise BusinessIdError(TAX_LENGTH.format(count=len(digits)))
    if tax_check_digit(digits[:9]) != int(digits[9]):
        raise BusinessIdError(TAX_CHECK.format(code=format_tax_code(digits)))
    if len(digits) == 13 and digits[10:] == "000":
        raise BusinessIdError(TAX_BRANCH)
    return digits


def format_tax_code(digits: str) -> str:
    """As it is written on papers: a branch's suffix after a dash ("0100233488-001")."""
    return f"{digits[:10]}-{digits[10:]}" if len(digits) == 13 else digits


def read_mobile(typed: str) -> str:
    """A Vietnamese mobile number as "0" + 9 digits, from "0912 345 678", "+84 912.345.678", "84912345678"…;
    BusinessIdError saying what is wrong otherwise."""
    if len(typed or "") > MAX_TYPED:
        raise BusinessIdError(PHONE_SHAPE.format(count=sum(ch.isdigit() for ch in typed)))
    digits = _digits(typed, (PHONE_EMPTY, PHONE_LETTERS, PHONE_SYMBOLS), plus=True)
    plus = digits.startswith("+")
    digits = digits.removeprefix("+")
    if digits.startswith("84") and (plus or len(digits) == 11):
        digits = digits[2:]
        # "+84 0912 345 678": the 0 kept after the country code.
        digits = digits if digits.startswith("0") else "0" + digits
    if digits.startswith("02"):
        raise BusinessIdError(PHONE_LANDLINE)
    if len(digits) != 10 or not digits.startswith("0"):
        raise BusinessIdError(PHONE_SHAPE.format(count=len(digits)))
    if digits[:2] not in MOBILE_PREFIXES:
        raise BusinessIdError(PHONE_PREFIX.format(number=format_mobile(digits)))
    return digits


def format_mobile(digits: str) -> str:
    """The number in groups ("0912 345 678"), as it is read out and written back to the person."""
    return f"{digits[:4]} {digits[4:7]} {digits[7:]}" if len(digits) == 10 else digits
