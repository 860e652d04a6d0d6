"""What both portals show alike, written once: generic views and forms each portal configures.

Not a portal and not an app (no models, URLs or templates of its own): it sits on the portals'
floor, imports only the floors below (accounts … tracing), and is imported only by
``portal_enterprise`` and ``portal_ciq``, which may not import each other. See
docs/architecture.md.
"""
