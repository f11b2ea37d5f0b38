"""Choice labels follow the active language and show unknown values as they are."""

from django.utils import translation

from civicloop.cases.models import State
from civicloop.core.choices import label


def test_labels_follow_the_language():
    with translation.override("zh-hans"):
        assert label(State, State.CLOSED) == "已结案" == str(State.CLOSED.label)
    with translation.override("en"):
        assert label(State, State.CLOSED) == str(State.CLOSED.label)
        assert label(State, State.CLOSED) != "已结案"
    assert label(State, "no-such-state") == "no-such-state"
