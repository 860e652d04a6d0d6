"""Every message livestock.eartags raises can be translated (it is listed in tag_messages)."""

import re
from pathlib import Path

from django.utils import translation

import livestock.eartags as eartags
from livestock.eartags import TagError
from livestock.tag_messages import MESSAGES, tag_error_text


def test_every_tag_error_message_is_listed():
    source = Path(eartags.__file__).read_text()
    raised = set(re.findall(r'TagError\(\s*[^,]+,\s*"([^"]+)"', source))
    assert raised and raised <= set(MESSAGES)


def test_tag_errors_read_in_chinese():
    with translation.override("zh-hans"):
        text = tag_error_text(TagError("length", "A national ear-tag code has 15 digits, not %(n)s.", n=7))
    assert "7" in text and "15" in text
