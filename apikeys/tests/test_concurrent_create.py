import threading

import pytest
from django.db import connection, connections

from apikeys.models import ApiKey
from apikeys.services import KeyLimitReached, api_key_create


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_creates_on_an_individual_plan_leave_exactly_one_key(make_account):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; SQLite serialises writers by itself")
    account = make_account("racer", plan="indie")
    barrier = threading.Barrier(20)
    outcomes = []

    def attempt(index):
        try:
            barrier.wait()
            api_key_create(account=account, name=f"key-{index}")
            outcomes.append("created")
        except KeyLimitReached:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["created"] + ["refused"] * 19
    assert ApiKey.objects.filter(account=account).count() == 1
