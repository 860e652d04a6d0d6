"""Organisations, the people in them, and the roles that decide what they may see and do."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager, _user_has_perm
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .validators import validate_credit_code


class Organisation(models.Model):
    """An enterprise or a unit of the bureau; every user belongs to exactly one."""

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("Enterprise")
        CIQ_BRANCH = "ciq_branch", _("CIQ branch")
        PORT = "port", _("Port")
        WAREHOUSE = "warehouse", _("Transit warehouse")
        LABORATORY = "laboratory", _("Laboratory")
        HEAD_OFFICE = "head_office", _("Bureau head office")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, db_index=True)
    code = models.SlugField(
        _("code"), max_length=40, unique=True, help_text=_("Short unique code, e.g. ciq-huizhou.")
    )
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        blank=True,
        validators=[validate_credit_code],
        help_text=_("18 characters, as printed on the business licence (GB 32100)."),
    )
    # An enterprise's supervising branch; a laboratory's is the branch whose samples it tests
    # (none: every branch's, as the technical centre).
    branch = models.ForeignKey(
        "self",
        verbose_name=_("supervising CIQ branch"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enterprises",
        limit_choices_to={"kind": Kind.CIQ_BRANCH},
        help_text=_(
            "For an enterprise, the branch that supervises it; for a laboratory, the only branch "
            "whose samples it tests (empty: every branch)."
        ),
    )
    province = models.CharField(_("province"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    # The mail and text messages the system sends the organisation (a consignment's steps) are in
    # this language; its people's screens follow each browser's.
    language = models.CharField(
        _("language of notices"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The language of the e-mails and text messages the bureau's system sends."),
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(verbose_name=_("historical organisation"))

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["kind", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"], condition=~Q(credit_code=""), name="organisation_credit_code_unique"
            ),
            models.CheckConstraint(
                condition=~Q(kind="enterprise") | ~Q(credit_code=""),
                name="organisation_enterprise_has_credit_code",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["enterprise", "laboratory"]) | Q(branch__isnull=True),
                name="organisation_branch_of_enterprise_or_lab",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        """Return the name in the active language, falling back to Chinese."""
        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name_zh

    @property
    def is_enterprise(self) -> bool:
        return self.kind == self.Kind.ENTERPRISE

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    def clean(self):
        errors = {}
        if self.kind == self.Kind.ENTERPRISE:
            if not self.credit_code:
                errors["credit_code"] = _("An enterprise needs its unified social credit code.")
            if self.branch_id is None:
                errors["branch"] = _("Choose the CIQ branch that supervises this enterprise.")
        elif self.branch_id is not None and self.kind != self.Kind.LABORATORY:
            errors["branch"] = _("Only an enterprise or a laboratory is attached to a CIQ branch.")
        if self.branch_id is not None and self.branch.kind != self.Kind.CIQ_BRANCH:
            errors["branch"] = _("The supervising organisation must be a CIQ branch.")
        if (self.latitude is None) != (self.longitude is None):
            errors["longitude"] = _("Give both latitude and longitude, or neither.")
        if errors:
            raise ValidationError(errors)


class Role(models.TextChoices):
    ENTERPRISE_STAFF = "enterprise_staff", _("Enterprise staff")
    ENTERPRISE_ADMIN = "enterprise_admin", _("Enterprise administrator")
    INSPECTOR = "inspector", _("Inspector")
    TRANSIT_OFFICER = "transit_officer", _("Transit officer")
    PORT_OFFICER = "port_officer", _("Port officer")
    LAB_ANALYST = "lab_analyst", _("Lab analyst")
    MANAGER = "manager", _("Manager")
    SYSTEM_ADMIN = "system_admin", _("System administrator")


# Which kind of organisation each role belongs to: an inspector works for a branch, and so on.
ROLE_ORGANISATION_KIND = {
    Role.ENTERPRISE_STAFF: Organisation.Kind.ENTERPRISE,
    Role.ENTERPRISE_ADMIN: Organisation.Kind.ENTERPRISE,
    Role.INSPECTOR: Organisation.Kind.CIQ_BRANCH,
    Role.TRANSIT_OFFICER: Organisation.Kind.WAREHOUSE,
    Role.PORT_OFFICER: Organisation.Kind.PORT,
    Role.LAB_ANALYST: Organisation.Kind.LABORATORY,
    Role.MANAGER: Organisation.Kind.HEAD_OFFICE,
    Role.SYSTEM_ADMIN: Organisation.Kind.HEAD_OFFICE,
}
ENTERPRISE_ROLES = frozenset({Role.ENTERPRISE_STAFF, Role.ENTERPRISE_ADMIN})
BUREAU_ROLES = frozenset(set(Role) - ENTERPRISE_ROLES)


class User(AbstractUser):
    """A person who logs in: one organisation, one role."""

    # Chinese names do not split into first and last; one full name serves both languages.
    first_name = None
    last_name = None
    full_name = models.CharField(_("full name"), max_length=150)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="users"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, db_index=True)
    phone = models.CharField(_("mobile phone"), max_length=40, blank=True)

    objects = UserManager()
    history = HistoricalRecords(
        verbose_name=_("historical user"),
        # A log-in is not a change of the record; a password hash is never shown to anyone.
        excluded_fields=["last_login", "password"],
    )

    REQUIRED_FIELDS = ["email", "full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["organisation_id", "username"]

    def __str__(self):
        return f"{self.full_name} ({self.username})" if self.full_name else self.username

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name or self.username

    def save(self, *args, **kwargs):
        # A log-in only stamps last_login, which the history leaves out: no version for it.
        # (django-simple-history skips when the attribute merely exists, whatever its value.)
        update_fields = kwargs.get("update_fields")
        if not (update_fields and set(update_fields) <= {"last_login"}):
            return super().save(*args, **kwargs)
        self.skip_history_when_saving = True
        try:
            return super().save(*args, **kwargs)
        finally:
            del self.skip_history_when_saving

    def has_perm(self, perm, obj=None):
        """Like Django's, but a superuser's blanket yes covers only model permissions.

        The system administrator is a superuser so that the admin site opens to them; the
        portals' permissions (accounts/rules.py) still follow the role, so the system
        administrator is not, say, an enterprise clerk.
        """
        codename = perm.rpartition(".")[2]
        if (
            self.is_active
            and self.is_superuser
            and codename.startswith(("add_", "change_", "delete_", "view_"))
        ):
            return True
        return _user_has_perm(self, perm, obj)

    @property
    def is_enterprise_user(self) -> bool:
        return self.role in ENTERPRISE_ROLES

    @property
    def is_bureau_user(self) -> bool:
        return self.role in BUREAU_ROLES

    def clean(self):
        super().clean()
        expected = ROLE_ORGANISATION_KIND.get(self.role)
        if expected and self.organisation_id and self.organisation.kind != expected:
            raise ValidationError(
                {
                    "role": _("A %(role)s must belong to a %(kind)s, not to %(organisation)s.")
                    % {
                        "role": Role(self.role).label,
                        "kind": Organisation.Kind(expected).label,
                        "organisation": self.organisation.name,
                    }
                }
            )


class UserSession(models.Model):
    """A log-in session of a user, kept so that deactivating the user can end all of them."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="login_sessions")
    session_key = models.CharField(max_length=40, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("login session")
        verbose_name_plural = _("login sessions")

    def __str__(self):
        return f"{self.user} @ {self.created_at:%Y-%m-%d %H:%M}"
