"""Change lists of the tables that grow without end (loaded animals, tag reads, events).

Django's change list counts every row of its query to number its pages (and, unless told not
to, every row of the table as well): on a table of tens of millions of rows that count is a
full scan on each page opened. Here the count stops at ``CAP`` rows, which is still more
pages than anybody pages through; a search or a filter narrows the list to what is wanted.
"""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

# Rows counted at most: 100 pages of the admin's 100 rows.
CAP = 10_000


class CappedCountPaginator(Paginator):
    """A Paginator that counts at most ``CAP`` rows (``SELECT COUNT(*) FROM (… LIMIT CAP)``)."""

    @cached_property
    def count(self):
        return self.object_list[:CAP].count()


class HugeTableMixin:
    """Change list settings of a ModelAdmin over a table too big to count.

    The list must be ordered by an indexed column (the primary key by default), so that a page
    reads its rows from the index instead of sorting the table.
    """

    paginator = CappedCountPaginator
    show_full_result_count = False
    ordering = ["-pk"]
