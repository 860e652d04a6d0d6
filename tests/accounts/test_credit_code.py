import pytest
from django.core.exceptions import ValidationError

from accounts import credit_code
from accounts.validators import validate_credit_code

# A code printed in GB 32100's own explanations, and real-looking ones made with the algorithm.
VALID = ["91350100M000100Y43", "91441322MA4UH8F2K" + credit_code.check_character("91441322MA4UH8F2K")]


@pytest.mark.parametrize("code", VALID)
def test_valid_codes_pass(code):
    assert credit_code.validate(code) == code


def test_clerks_spacing_and_case_are_forgiven():
    assert credit_code.validate(" 91350100-m000100y43 ") == "91350100M000100Y43"


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("91350100M000100Y4", "length"),
        ("91350100M000100Y433", "length"),
        ("913501O0M000100Y43", "characters"),  # letter O inside the division code
        ("91350100M000100I43", "characters"),  # I is never used
        ("91350100M000100Y44", "check"),
    ],
)
def test_invalid_codes_say_why(code, reason):
    with pytest.raises(credit_code.CreditCodeError) as exc:
        credit_code.validate(code)
    assert exc.value.code == reason


def test_every_single_character_typo_is_caught():
    code = VALID[0]
    for i in range(17):
        for c in credit_code.ALPHABET:
            typo = code[:i] + c + code[i + 1 :]
            if typo != code and credit_code.PATTERN.match(typo):
                with pytest.raises(credit_code.CreditCodeError):
                    credit_code.validate(typo)


def test_django_validator_gives_a_translated_message():
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        validate_credit_code("91350100M000100Y44")
    assert exc.value.code == "credit_code_check"
    assert "校验" in str(exc.value.messages[0])
