"""Every write to organisations and users: one function per business action."""

from importlib import import_module

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .audit import save_audited
from .errors import DomainError
from .models import ENTERPRISE_ROLES, ROLE_ORGANISATION_KIND, Organisation, Role, User, UserSession

USERNAME_TAKEN = _("The user name “{username}” is already taken; please choose another.")
ROLE_NOT_ALLOWED = _(
    "An enterprise administrator can only give the roles enterprise staff or enterprise administrator."
)
ROLE_WRONG_ORGANISATION = _("The role {role} does not belong in {organisation} ({kind}).")
CANNOT_DEACTIVATE_SELF = _("You cannot deactivate your own account; ask another administrator.")
NOT_YOUR_ORGANISATION = _("Only an administrator of the enterprise may change its contact details.")
PASSWORD_RESET_REASON = _("Password reset by e-mail")
LAST_ADMIN = _("{organisation} must keep at least one active administrator; appoint another one first.")


def _full_clean(obj, *, exclude=None) -> None:
    """Run model validation and turn its errors into one DomainError naming the fields."""
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        messages = "; ".join(f"{' '.join(map(str, errs))}" for errs in exc.message_dict.values())
        raise DomainError(messages, field=next(iter(exc.message_dict), None)) from exc


@transaction.atomic
def organisation_save(*, actor: User | None, organisation: Organisation, reason: str) -> Organisation:
    """Validate and save an organisation (new or changed), recording who and why."""
    _full_clean(organisation)
    save_audited(organisation, actor=actor, reason=reason)
    return organisation


@transaction.atomic
def organisation_contact_update(
    *,
    actor: User,
    organisation: Organisation,
    contact_name: str,
    contact_phone: str,
    contact_email: str,
    language: str,
    reason: str,
) -> Organisation:
    """An enterprise administrator's change to the contact details and the language of notices
    of their own enterprise (its name, code and branch are the bureau's to change)."""
    if actor.role != Role.ENTERPRISE_ADMIN or actor.organisation_id != organisation.pk:
        raise DomainError(NOT_YOUR_ORGANISATION)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    organisation.contact_name, organisation.contact_phone = contact_name, contact_phone
    organisation.contact_email, organisation.language = contact_email, language
    return organisation_save(actor=actor, organisation=organisation, reason=reason)


def _check_role(*, actor: User | None, organisation: Organisation, role: str) -> None:
    if actor is not None and actor.role == Role.ENTERPRISE_ADMIN and role not in ENTERPRISE_ROLES:
        raise DomainError(ROLE_NOT_ALLOWED, field="role")
    if ROLE_ORGANISATION_KIND[Role(role)] != organisation.kind:
        raise DomainError(
            format_lazy(
                ROLE_WRONG_ORGANISATION,
                role=Role(role).label,
                organisation=organisation.name,
                kind=organisation.get_kind_display(),
            ),
            field="role",
        )


def _check_keeps_an_admin(*, user: User) -> None:
    """Refuse a change that would leave an enterprise without an active administrator."""
    if user.role != Role.ENTERPRISE_ADMIN or not user.is_active:
        return
    others = User.objects.filter(
        organisation_id=user.organisation_id, role=Role.ENTERPRISE_ADMIN, is_active=True
    ).exclude(pk=user.pk)
    if not others.exists():
        raise DomainError(format_lazy(LAST_ADMIN, organisation=user.organisation.name), field="role")


def user_create_check(*, actor: User | None, organisation: Organisation, username: str, role: str) -> None:
    """Raise the DomainError user_create would raise for this organisation, user name and role.

    For forms that validate before they save (the admin site's); user_create checks again.
    """
    _check_role(actor=actor, organisation=organisation, role=role)
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(format_lazy(USERNAME_TAKEN, username=username), field="username")


def user_change_check(*, actor: User | None, user: User, role: str, is_active: bool) -> None:
    """Raise the DomainError user_update, user_deactivate or user_reactivate would raise.

    ``user`` as it is stored; ``role`` and ``is_active`` as they are to become. For forms that
    validate before they save (the admin site's); the services check again under a lock.
    """
    _check_role(actor=actor, organisation=user.organisation, role=role)
    leaving = user.is_active and not is_active
    if leaving and actor is not None and actor.pk == user.pk:
        raise DomainError(CANNOT_DEACTIVATE_SELF, field="is_active")
    if role != user.role or leaving:
        _check_keeps_an_admin(user=user)


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    organisation: Organisation,
    username: str,
    full_name: str,
    role: str,
    password: str | None,
    email: str = "",
    phone: str = "",
    reason: str,
) -> User:
    """Create a user in ``organisation`` with ``role``; no password means it cannot log in yet."""
    user_create_check(actor=actor, organisation=organisation, username=username, role=role)
    user = User(
        organisation=organisation,
        username=username,
        full_name=full_name,
        role=role,
        email=email,
        phone=phone,
        # The admin site is the system administrator's tool and nobody else's.
        is_staff=role == Role.SYSTEM_ADMIN,
        is_superuser=role == Role.SYSTEM_ADMIN,
    )
    if password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise DomainError(" ".join(exc.messages), field="password") from exc
        user.set_password(password)
    else:
        user.set_unusable_password()
    _full_clean(user, exclude=["password"])
    save_audited(user, actor=actor, reason=reason)
    return user


@transaction.atomic
def user_update(
    *,
    actor: User | None,
    user: User,
    full_name: str,
    role: str,
    email: str = "",
    phone: str = "",
    reason: str,
) -> User:
    """Change a user's name, contact details and role."""
    user = User.objects.select_for_update().select_related("organisation").get(pk=user.pk)
    _check_role(actor=actor, organisation=user.organisation, role=role)
    if role != user.role:
        _check_keeps_an_admin(user=user)
    user.full_name, user.role, user.email, user.phone = full_name, role, email, phone
    user.is_staff = user.is_superuser = role == Role.SYSTEM_ADMIN
    _full_clean(user, exclude=["password"])
    save_audited(user, actor=actor, reason=reason)
    return user


@transaction.atomic
def user_deactivate(*, actor: User | None, user: User, reason: str) -> User:
    """Deactivate a user and end every session they have open, at once."""
    user = User.objects.select_for_update().select_related("organisation").get(pk=user.pk)
    if actor is not None and actor.pk == user.pk:
        raise DomainError(CANNOT_DEACTIVATE_SELF)
    _check_keeps_an_admin(user=user)
    if user.is_active:
        user.is_active = False
        save_audited(user, actor=actor, reason=reason)
    user_sessions_end(user=user)
    return user


@transaction.atomic
def user_reactivate(*, actor: User | None, user: User, reason: str) -> User:
    """Let a deactivated user log in again."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        user.is_active = True
        save_audited(user, actor=actor, reason=reason)
    return user


@transaction.atomic
def user_password_reset(*, user: User, password: str) -> User:
    """Set the password a user chose through a reset link, and end every session they have open.

    Whoever held one of those sessions (the reason a password is reset, often) is logged out. The
    password was validated by the form (AUTH_PASSWORD_VALIDATORS); the history records the reset
    (the hash itself is left out of it).
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    user.set_password(password)
    save_audited(user, actor=user, reason=str(PASSWORD_RESET_REASON))
    user_sessions_end(user=user)
    return user


def user_sessions_end(*, user: User) -> int:
    """End every recorded session of ``user``; return how many were ended."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    for key in keys:
        # Through the engine, so that a cached session is removed from the cache too.
        store(session_key=key).delete()
    UserSession.objects.filter(user=user).delete()
    return len(keys)


def user_session_record(*, user: User, session_key: str, ip_address: str | None, user_agent: str) -> None:
    """Remember a new log-in session of ``user`` (see user_sessions_end)."""
    UserSession.objects.create(
        user=user, session_key=session_key, ip_address=ip_address, user_agent=user_agent[:300]
    )


def user_session_forget(*, session_key: str) -> None:
    """Forget a session that ended by log-out."""
    UserSession.objects.filter(session_key=session_key).delete()
