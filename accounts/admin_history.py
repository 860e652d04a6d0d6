"""The admin site's history pages: old versions are shown, and written back only where allowed."""

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin


class HistoryAdmin(SimpleHistoryAdmin):
    """SimpleHistoryAdmin whose "revert" needs the right to change the record.

    simple_history hides the revert button of an old version when the admin may not change
    the record, but it still saves whatever form is posted to that page: a read-only admin
    (farms change only through their workflow, outbreaks and alerts only through
    surveillance) could be written to through the history of its records.
    """

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            obj = self.get_object(request, unquote(object_id))
            if obj is None or self.revert_disabled(request, obj):
                raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)
