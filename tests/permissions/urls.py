"""Walk the URL configuration: every pattern, with its full name and route."""

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Route:
    key: str  # "namespace:name", or the route itself for an unnamed pattern
    route: str
    callback: object


def all_routes(urlconf=None) -> list[Route]:
    """Return every URL pattern of ``urlconf`` (the project's by default), recursively."""
    out: list[Route] = []

    def walk(patterns, prefix: str, namespace: str):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = p.namespace or ""
                walk(p.url_patterns, prefix + str(p.pattern), f"{namespace}{ns}:" if ns else namespace)
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                key = f"{namespace}{p.name}" if p.name else route
                out.append(Route(key, route, p.callback))

    walk(get_resolver(urlconf).url_patterns, "", "")
    return out
