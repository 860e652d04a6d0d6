"""Django validators around the plain-Python identifier checks."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import credit_code

CREDIT_CODE_MESSAGES = {
    "length": _(
        "A unified social credit code has 18 characters; please check the code on the business licence."
    ),
    "characters": _(
        "This is not a unified social credit code: characters 3-8 must be digits and the letters "
        "I, O, S, V and Z are never used. Please copy it again from the business licence."
    ),
    "check": _(
        "The last character (the check character) does not match the first 17; one character "
        "was probably mistyped. Please compare the code with the business licence."
    ),
}


def validate_credit_code(value: str) -> None:
    """Raise ValidationError unless value is a valid GB 32100 unified social credit code."""
    try:
        credit_code.validate(value)
    except credit_code.CreditCodeError as exc:
        raise ValidationError(CREDIT_CODE_MESSAGES[exc.code], code=f"credit_code_{exc.code}") from exc
