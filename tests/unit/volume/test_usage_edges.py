"""Dates at the edge of the calendar: 400, not 500 (their UTC time overflows)."""
import pytest


@pytest.mark.parametrize('query', [
    {'start': '0001-01-01T00:00:00+05:00', 'end': '2026-01-01T00:00:00'},
    {'start': '2026-01-01T00:00:00', 'end': '9999-12-31T23:00:00-05:00'},
])
def test_overflowing_dates_are_400(api, query):
    response = api.get('os-usage/project-p', query_string=query)
    assert response.status_code == 400, response.get_data(as_text=True)
    assert 'ISO 8601' in response.get_data(as_text=True)
