import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_set_plan_moves_an_account_to_another_plan(owner, capsys):
    call_command("set_plan", "owner", "business")
    owner.refresh_from_db()
    assert owner.plan == "business"
    assert "Business" in capsys.readouterr().out


@pytest.mark.django_db
def test_set_plan_finds_the_account_in_any_case(owner):
    call_command("set_plan", "OWNER", "basic")
    owner.refresh_from_db()
    assert owner.plan == "basic"


@pytest.mark.django_db
def test_set_plan_refuses_an_unknown_account(owner):
    with pytest.raises(CommandError, match='No account with Account ID "ghost"'):
        call_command("set_plan", "ghost", "business")


@pytest.mark.django_db
def test_set_plan_refuses_an_unknown_plan_and_changes_nothing(owner):
    with pytest.raises(CommandError, match='Unknown plan "platinum"'):
        call_command("set_plan", "owner", "platinum")
    owner.refresh_from_db()
    assert owner.plan == "indie"


def test_set_plan_exits_with_status_1_and_a_clear_message_on_an_unknown_plan():
    result = subprocess.run(
        [sys.executable, "manage.py", "set_plan", "owner", "platinum"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert 'Unknown plan "platinum"' in result.stderr
