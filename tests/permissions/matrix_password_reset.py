"""Password reset by e-mail: open to everyone, logged in or not (the link in the mail is the key).

Asking for a link answers the same whether or not the address belongs to a user, and is
throttled per address and per e-mail (tests/accounts/test_password_reset.py). A valid link
sends its visitor on to the same address with ``set-password`` in place of the token (Django
keeps the token in the session, out of the Referer header), by any method the page serves.
"""

from django.contrib.auth.tokens import default_token_generator
from django.contrib.auth.views import PasswordResetConfirmView
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .cases import case, to


def reset_link(w):
    """A valid link for enterprise A's staff member."""
    user = w.ent_a_staff
    return {
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }


SET_PASSWORD = to("accounts:password_reset_confirm", token=PasswordResetConfirmView.reset_url_token)


def staff_address(w):
    return {"email": w.ent_a_staff.email}


MATRIX = {
    # An empty form (PUT) is shown again with its errors; a well-formed address goes on to "sent".
    "accounts:password_reset": case(
        public=True,
        kwargs=staff_address,
        data=lambda given: {"email": given["email"]},
        post=to("accounts:password_reset_done"),
    ),
    "accounts:password_reset_done": case(public=True),
    "accounts:password_reset_confirm": case(
        public=True,
        kwargs=reset_link,
        get=SET_PASSWORD,
        post=SET_PASSWORD,
        put=SET_PASSWORD,
        options=SET_PASSWORD,
    ),
    "accounts:password_reset_complete": case(public=True),
}
