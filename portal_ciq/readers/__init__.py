"""The bureau's tag readers: the list, registering a reader, its live page, revoking it."""
