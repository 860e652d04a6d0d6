"""Refusing a query string no view could use, before any view reads it."""

from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

NUL_IN_QUERY = _("The address holds a NUL character, which no page accepts. Remove it and try again.")


class QueryStringGuardMiddleware:
    """Answer 400 to a query string holding a NUL character (``%00``).

    PostgreSQL cannot take a NUL in any text, so a NUL that reached a filter would raise in the
    database driver (a 500); no one types one, so it is refused here once rather than stripped
    in every view. Other odd values are the views' to clamp (accounts.params).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any("\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists()):
            return render(request, "errors/400.html", {"message": NUL_IN_QUERY}, status=400)
        return self.get_response(request)
