"""``field__anyof=[...]``: ``field = ANY(%s)`` with the values as ONE array parameter.

``field__in`` with tens of thousands of values makes as many query parameters: Django prepares
each one and psycopg splits a megabyte of SQL, about 1.5 s per 100,000 values before PostgreSQL
sees anything (measured with ``make bench``: the herd import looks up 200,000 codes). An array is
one parameter, and PostgreSQL uses the same index for it. Elsewhere (SQLite) it is ``IN``.
"""

from django.db.models import CharField, Lookup
from django.db.models.lookups import In


@CharField.register_lookup
class AnyOf(Lookup):
    lookup_name = "anyof"

    def get_prep_lookup(self):
        return [str(value) for value in self.rhs]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*lhs_params, self.rhs]

    def as_sqlite(self, compiler, connection):
        return In(self.lhs, self.rhs).as_sql(compiler, connection)
