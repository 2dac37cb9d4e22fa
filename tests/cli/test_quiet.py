"""A `jackpot` command that goes well writes nothing on stderr: no library's start-up banner
(django-axes wrote "AXES: BEGIN version …" before every command's output)."""

from support.cli import command_env, jackpot_process


def test_commands_that_go_well_write_nothing_on_stderr(tmp_path):
    env = command_env(tmp_path)

    migrated = jackpot_process(["migrate", "--verbosity", "0"], env)
    created = jackpot_process(["partner", "create", "Shop", "--domain", "shop.example"], env)

    for done in (migrated, created):
        assert done.returncode == 0, done.stderr
        assert done.stderr == ""
    assert '"apiSignature"' in created.stdout
