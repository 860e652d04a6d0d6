"""The error every service raises when a business rule refuses an action."""


class DomainError(Exception):
    """A refused action, with a message for the user (already translated or lazy).

    ``field`` names the form field at fault, if there is one, so that a view can show the
    message beside it; ``items`` names the offending rows, tags or objects.
    """

    def __init__(self, message, *, field: str | None = None, items=()):
        super().__init__(message)
        self.message = message
        self.field = field
        self.items = list(items)

    def __str__(self):
        return str(self.message)
