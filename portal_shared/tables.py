"""The base of every django-tables2 table: ``?page=`` and ``?per_page=`` are clamped, never an error."""

import django_tables2 as tables

from accounts.params import ClampedPaginator, per_page_param


class Table(tables.Table):
    """A table whose page and page size come from the query string through accounts.params.

    django-tables2's RequestConfig passes ``?per_page=`` on as it is (``-1`` made the paginator
    count pages backwards and raise) and falls back to the last page only for some errors; here
    a size below 1 is the table's own, one above ``MAX_PER_PAGE`` is that, and any page number
    shows the nearest page.
    """

    def paginate(self, paginator_class=ClampedPaginator, per_page=None, page=1, *args, **kwargs):
        if not issubclass(paginator_class, ClampedPaginator):
            paginator_class = ClampedPaginator
        per_page = per_page_param(per_page, default=self._meta.per_page)
        return super().paginate(paginator_class, per_page, page, *args, **kwargs)
