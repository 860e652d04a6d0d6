"""Walk the URL configuration: every pattern, with its full name, route and the methods it serves."""

import inspect
from dataclasses import dataclass
from functools import cache

from django.urls import URLPattern, URLResolver, get_resolver

from .cases import METHODS


@dataclass(frozen=True)
class Route:
    key: str  # "namespace:name", or the route itself for an unnamed pattern
    route: str
    callback: object
    params: tuple[str, ...] = ()  # the names of the URL's parameters


def _params(pattern) -> tuple[str, ...]:
    converters = getattr(pattern, "converters", None)
    if converters is not None:  # path("<int:pk>/")
        return tuple(converters)
    return tuple(pattern.regex.groupindex)  # re_path("(?P<pk>...)")


def all_routes(urlconf=None) -> list[Route]:
    """Return every URL pattern of ``urlconf`` (the project's by default), recursively."""
    out: list[Route] = []

    def walk(patterns, prefix: str, namespace: str, params: tuple):
        for p in patterns:
            here = params + _params(p.pattern)
            if isinstance(p, URLResolver):
                ns = p.namespace or ""
                walk(p.url_patterns, prefix + str(p.pattern), f"{namespace}{ns}:" if ns else namespace, here)
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                key = f"{namespace}{p.name}" if p.name else route
                out.append(Route(key, route, p.callback, here))

    walk(get_resolver(urlconf).url_patterns, "", "", ())
    return out


@cache
def routes_by_key() -> dict[str, Route]:
    return {r.key: r for r in all_routes()}


def route_params(key: str) -> tuple[str, ...]:
    return routes_by_key()[key].params


def offered_methods(callback) -> frozenset[str] | None:
    """Return the HTTP methods a resolved view serves, read from the view itself.

    A class-based view serves the methods it has a handler for (``head`` comes with ``get``,
    as View.setup arranges); a function view the list its ``require_http_methods`` (or
    ``require_POST``…) decorator closes over. None: a function view that does not say.
    """
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        actions = getattr(callback, "actions", None)  # a DRF viewset: the methods it routes
        names = set(actions) | {"options"} if actions else set(view_class.http_method_names)
        served = {m for m in names if hasattr(view_class, m) or (actions and m in actions)}
        if "get" in served and "head" in view_class.http_method_names:
            served.add("head")
        return frozenset(served & set(METHODS))
    fn = callback
    while fn is not None:
        if inspect.isfunction(fn):
            listed = inspect.getclosurevars(fn).nonlocals.get("request_method_list")
            if listed is not None:
                return frozenset(m.lower() for m in listed)
        fn = getattr(fn, "__wrapped__", None)
    return None
