"""`jackpot migrate` and `jackpot worker`'s choice between one loop and a supervisor."""

import pytest

from jackpot.cli import main
from jackpot.worker import loop, supervisor

pytestmark = pytest.mark.django_db


def test_migrate_creates_the_data_folder_and_leaves_nothing_to_apply(settings, tmp_path, capsys):
    settings.DATA_DIR = tmp_path / "var"

    assert main(["migrate", "--verbosity", "1"]) == 0

    assert settings.DATA_DIR.is_dir()
    assert "No migrations to apply." in capsys.readouterr().out


def test_worker_refuses_fewer_than_one_process(capsys):
    assert main(["worker", "--processes", "0"]) == 2
    assert "--processes must be at least 1" in capsys.readouterr().err


@pytest.fixture
def started(monkeypatch):
    """Which of the loop and the supervisor the command starts, and with what."""
    calls = []
    monkeypatch.setattr(loop, "run_worker", lambda **kw: calls.append(("loop", kw)) or 0)
    monkeypatch.setattr(
        supervisor, "run_worker_processes", lambda *a: calls.append(("supervisor", a)) or 0
    )
    return calls


def test_worker_with_several_processes_starts_the_supervisor(started):
    assert main(["worker", "--processes", "3", "--interval", "0.5"]) == 0
    assert started == [("supervisor", (3, 0.5))]


def test_one_pass_is_made_in_this_process_however_many_processes_are_asked(started):
    assert main(["worker", "--processes", "3", "--once"]) == 0
    assert started == [("loop", {"once": True, "interval": None})]


def test_ctrl_c_stops_the_worker_quietly(monkeypatch):
    def interrupted(**kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(loop, "run_worker", interrupted)
    assert main(["worker"]) == 0
