"""The exception hierarchy (``common/exceptions.py``)."""
import pytest

from common import exceptions


def test_message_is_formatted_from_keywords():
    error = exceptions.ValidationError(field="'name'", detail='too long')
    assert error.message == "Invalid input for field 'name': too long"
    assert str(error) == error.message
    assert error.kwargs == {'field': "'name'", 'detail': 'too long'}


def test_explicit_message_wins():
    assert exceptions.NotFound('gone').message == 'gone'


def test_default_message_without_keywords():
    assert exceptions.Conflict().message == exceptions.Conflict.msg_fmt


@pytest.mark.parametrize('cls, code', [
    (exceptions.BadRequest, 400), (exceptions.ValidationError, 400),
    (exceptions.Unauthorized, 401), (exceptions.Forbidden, 403),
    (exceptions.PolicyNotAuthorized, 403), (exceptions.NotFound, 404),
    (exceptions.MethodNotAllowed, 405), (exceptions.NotAcceptable, 406),
    (exceptions.Conflict, 409), (exceptions.PayloadTooLarge, 413),
    (exceptions.UnsupportedMediaType, 415), (exceptions.ServiceUnavailable, 503),
    (exceptions.StratusError, 500),
])
def test_categories_carry_their_status(cls, code):
    assert cls.code == code
    assert issubclass(cls, exceptions.StratusError)
