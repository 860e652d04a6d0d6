"""Password reset by e-mail: open to everyone, logged in or not (the link in the mail is the key).

Asking for a link answers the same whether or not the address belongs to a user, and is
throttled per address and per e-mail (tests/accounts/test_password_reset.py).
"""

from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .cases import case


def reset_link(w):
    """A valid link for enterprise A's staff member (it redirects to the set-password form)."""
    user = w.ent_a_staff
    return {
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }


MATRIX = {
    "accounts:password_reset": case(public=True),
    "accounts:password_reset_done": case(public=True),
    "accounts:password_reset_confirm": case(public=True, kwargs=reset_link),
    "accounts:password_reset_complete": case(public=True),
}
