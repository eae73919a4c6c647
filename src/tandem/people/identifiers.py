"""Check digits of the two national identifiers a child carries.

NHS number: ten digits; the tenth is a modulus 11 check digit over the first nine (weights 10..2).
UPN (unique pupil number): thirteen characters; the first is a check letter over characters 2-13.
"""

from django.core.exceptions import ValidationError

UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"  # I, O and S are never used


def normalise_nhs_number(value: str) -> str:
    """People write NHS numbers as 943 476 5919 or 943-476-5919: keep the digits."""
    return "".join(ch for ch in value if ch not in " -")


def nhs_number_check_digit(first_nine: str) -> int | None:
    """The check digit for nine digits, or None where no valid NHS number can start with them."""
    total = sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def nhs_number_is_valid(value: str) -> bool:
    if len(value) != 10 or not value.isdigit():
        return False
    return nhs_number_check_digit(value[:9]) == int(value[9])


def upn_check_letter(last_twelve: str) -> str:
    """The check letter for UPN characters 2-13 (the 13th is a letter in a temporary UPN)."""
    total = 0
    for weight, ch in enumerate(last_twelve, start=2):
        total += (UPN_LETTERS.index(ch) if ch.isalpha() else int(ch)) * weight
    return UPN_LETTERS[total % 23]


def upn_is_valid(value: str) -> bool:
    if len(value) != 13 or value[0] not in UPN_LETTERS or not value[1:12].isdigit():
        return False
    if not (value[12].isdigit() or value[12] in UPN_LETTERS):
        return False
    return upn_check_letter(value[1:]) == value[0]


def validate_nhs_number(value: str) -> None:
    if not nhs_number_is_valid(value):
        raise ValidationError(
            "Enter a valid NHS number: 10 digits, like 943 476 5919 "
            "(the last digit is a check digit)",
            code="invalid_nhs_number",
        )


def validate_upn(value: str) -> None:
    if not upn_is_valid(value):
        raise ValidationError(
            "Enter a valid unique pupil number: a check letter then 12 characters, "
            "like A123456789012",
            code="invalid_upn",
        )
