from pathlib import Path

import pytest

from abm.app import create_app
from abm.config import Settings


def test_settings_come_from_abm_environment_variables():
    settings = Settings.from_env({"ABM_DATABASE_URL": "sqlite:///x.db", "ABM_SMTP_URL": "smtp://h"})
    assert settings.database_url == "sqlite:///x.db"
    assert settings.smtp_url == "smtp://h"
    assert settings.redis_url == ""


def test_defaults_live_in_the_instance_folder(tmp_path, monkeypatch):
    for key in ("ABM_DATABASE_URL", "ABM_REDIS_URL", "ABM_SECRET_KEY", "ABM_INSTANCE_PATH"):
        monkeypatch.delenv(key, raising=False)
    app = create_app({"instance_path": str(tmp_path / "inst")})
    settings = app.extensions["abm.settings"]
    assert settings.database_url == f"sqlite:///{tmp_path / 'inst' / 'abm.sqlite3'}"
    assert settings.outbox_path == tmp_path / "inst" / "outbox"
    secret = (tmp_path / "inst" / "secret_key").read_text()
    assert len(secret) == 64 and app.config["SECRET_KEY"] == secret


def test_the_generated_secret_key_is_kept_across_restarts(tmp_path):
    first = create_app({"instance_path": str(tmp_path)}).config["SECRET_KEY"]
    second = create_app({"instance_path": str(tmp_path)}).config["SECRET_KEY"]
    assert first == second


def test_creating_the_app_starts_nothing(tmp_path):
    app = create_app({"instance_path": str(tmp_path)})
    assert app.extensions["abm.redis"]._connection is None
    assert not (Path(tmp_path) / "redis").exists()
    assert not (Path(tmp_path) / "abm.sqlite3").exists()


def test_an_unknown_setting_is_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown setting 'databse_url'"):
        create_app({"databse_url": "sqlite://", "instance_path": str(tmp_path)})


def test_flask_settings_pass_through(app):
    assert app.config["TESTING"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_the_command_shows_its_own_options_not_flasks():
    from click.testing import CliRunner

    from abm.cli import cli

    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    assert "--version" in result.output
    assert "--app" not in result.output and "--env-file" not in result.output
    version = CliRunner().invoke(cli, ["--version"])
    assert version.exit_code == 0 and version.output.startswith("abm, version ")


def test_the_app_and_its_commands_do_not_load_the_machine_learning_libraries(tmp_path):
    """They weigh over 100 MB and 2 s per process; only segmentation work needs them."""
    import subprocess
    import sys

    code = ("import sys; import abm.cli, abm.campaigns.jobs, abm.imports.jobs; "
            "from abm.app import create_app; "
            f"create_app({{'instance_path': {str(tmp_path)!r}}}); "
            "print(sorted(m for m in ('sklearn', 'scipy', 'pandas') if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.strip()
    assert loaded == "[]"


def test_the_package_and_its_machine_learning_load_neither_flask_nor_the_database():
    """Importing abm is free, and the ML functions run in any process (a notebook, a bench)."""
    import subprocess
    import sys

    code = ("import sys, abm, abm.ml.clustering, abm.ml.bgnbd, abm.ml.naming, abm.ml.lookalike; "
            "print(sorted(m for m in ('flask', 'sqlalchemy', 'redis', 'rq') if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.strip()
    assert loaded == "[]"
