"""Every write of livestock: one function per business action (see docs/livestock.md)."""
