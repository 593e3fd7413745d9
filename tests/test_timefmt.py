from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mamori.timefmt import DISPLAY_FORMAT, parse_user_time, show, zone


@given(st.datetimes(min_value=datetime(1000, 1, 2), timezones=st.just(UTC)))
def test_show_is_the_display_format_in_the_zone(moment: datetime) -> None:
    tokyo = zone("Asia/Tokyo")
    assert show(moment, tokyo) == moment.astimezone(tokyo).strftime(DISPLAY_FORMAT)


def test_show_defaults_to_japan_time_and_keeps_missing_times_empty() -> None:
    moment = datetime(2025, 10, 19, 15, 30, 5, tzinfo=UTC)
    assert show(moment, zone("Asia/Tokyo")) == "2025/10/20 00:30:05"
    assert show(None, zone("Asia/Tokyo")) == ""


def test_user_times_without_zone_are_in_the_given_zone() -> None:
    tokyo = zone("Asia/Tokyo")
    assert parse_user_time("2025/06/05 09:00", tokyo) == datetime(2025, 6, 5, tzinfo=UTC)
    assert parse_user_time("2025-06-05T09:00+00:00", tokyo) == datetime(2025, 6, 5, 9, tzinfo=UTC)
    with pytest.raises(ValueError):
        zone("Mars/Olympus")
