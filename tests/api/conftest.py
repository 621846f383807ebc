import pytest

from survey.api.keys import create_key
from survey.models import Member


@pytest.fixture
def write_token(alice, survey):
    return create_key(acting_user=alice, name="dashboard", surveys=[survey], can_write=True)[1]


@pytest.fixture
def read_token(alice, survey):
    return create_key(acting_user=alice, name="reader", surveys=[survey], can_write=False)[1]


@pytest.fixture
def other_token(charlie):
    """A write key of an organiser of another survey."""
    other = Member.objects.get(user=charlie).survey
    return create_key(acting_user=charlie, name="elsewhere", surveys=[other], can_write=True)[1]


def bearer(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}
