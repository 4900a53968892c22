"""Every management command of the project: `--verbosity 0` prints nothing but errors, 2 adds progress
lines to the summary, and what a command says goes through logging (programs.management.base)."""

import importlib
import io
import logging
import pkgutil

import pytest
from django.core.management import call_command

from applicants.models import WelfareImportBatch
from programs.management.base import LoggingCommand
from tests.factories import ApplicationFactory, WelfareImportBatchFactory, WelfareRecordFactory
from tests.welfare.test_welfare_import import person, write_csv

pytestmark = pytest.mark.django_db

APPS = ("applicants", "programs", "public_pages")


def project_commands() -> dict[str, str]:
    """Command name -> its app, for every command module of the project's apps."""
    found = {}
    for app in APPS:
        package = importlib.import_module(f"{app}.management.commands")
        found.update({module.name: app for module in pkgutil.iter_modules(package.__path__)})
    return found


def run(name, *args, verbosity=1):
    out, err = io.StringIO(), io.StringIO()
    call_command(name, *args, verbosity=verbosity, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def register_world(tmp_path):
    application = ApplicationFactory(submitted=True)
    applicant = application.applicant
    WelfareRecordFactory(nik=applicant.nik, kk_number=applicant.kk_number, batch=WelfareImportBatchFactory())
    return tmp_path


# Arguments each command needs to do real work in the world above (a file path is filled in per test).
COMMANDS = {
    "apply_retention": lambda tmp: [],
    "check_eligibility": lambda tmp: [],
    "cleanup_imports": lambda tmp: [],
    "export_register": lambda tmp: ["applicants", "--output", str(tmp / "applicants.xlsx")],
    "import_welfare_register": lambda tmp: [str(write_csv(tmp / "dtsen.csv", [person(1), person(2)])), "--yes"],
    "recover_exports": lambda tmp: ["--worker-id", "app1-exports"],
}


def test_every_command_of_the_project_logs_through_the_shared_base_and_is_tested_here():
    from django.core.management import load_command_class

    commands = project_commands()
    assert set(commands) == {*COMMANDS, "seed_demo"}, "a new command: add it to COMMANDS above"
    for name, app in commands.items():
        assert isinstance(load_command_class(app, name), LoggingCommand), name


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_verbosity_0_prints_nothing(name, register_world):
    assert run(name, *COMMANDS[name](register_world), verbosity=0) == ("", "")


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_verbosity_2_adds_progress_lines_to_the_summary(name, register_world):
    summary, _ = run(name, *COMMANDS[name](register_world), verbosity=1)
    progress, _ = run(name, *COMMANDS[name](register_world), verbosity=2)
    assert summary.strip(), f"{name} says nothing at the default verbosity"
    assert len(progress.splitlines()) > len(summary.splitlines()), progress


def test_verbosity_3_adds_debug_lines(register_world):
    out, _ = run("cleanup_imports", "--stale-minutes", "30", verbosity=3)
    assert "options {" in out and "'stale_minutes': 30" in out
    assert "options {" not in run("cleanup_imports", verbosity=2)[0]


def test_import_progress_reports_rows_and_the_summary_names_the_batch(tmp_path):
    path = write_csv(tmp_path / "dtsen.csv", [person(n) for n in range(1, 6001)])
    out, _ = run("import_welfare_register", str(path), "--yes", verbosity=2)
    assert "rows read 5000, accepted 5000" in out and "%" in out  # a line per 5,000 rows
    assert f"Batch {WelfareImportBatch.objects.get().pk}" in out


def test_export_progress_counts_the_rows_written(register_world):
    out, _ = run("export_register", "applicants", "--output", str(register_world / "a.xlsx"), verbosity=2)
    assert "applicants: rows written: 1, done" in out and "1 rows exported to" in out


def test_an_error_still_shows_at_verbosity_0(tmp_path):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="Register tidak dikenal"):
        run("export_register", "nope", "--output", str(tmp_path / "x.xlsx"), verbosity=0)


def test_command_lines_pass_the_identity_mask_of_the_log_configuration(register_world, caplog):
    """A NIK in what a command logs is masked like in every other log line."""
    logger = logging.getLogger("applicants.management.commands.check_eligibility")

    class Loud(LoggingCommand):
        def handle(self, *args, **options):
            logger.info("NIK 3671010101010001 checked")

    out = io.StringIO()
    Loud(stdout=out).run_from_argv(["manage.py", "loud"])
    assert "3671010101010001" not in out.getvalue() and "3671" in out.getvalue()


def test_with_json_logs_the_lines_go_to_the_configured_handlers_not_the_command_output(register_world, settings,
                                                                                      caplog):
    settings.LOGGING = {**settings.LOGGING, "handlers": {"console": {"formatter": "json"}}}
    caplog.set_level(logging.DEBUG)
    out, err = run("cleanup_imports", verbosity=2)
    assert (out, err) == ("", "")
    messages = [record.getMessage() for record in caplog.records]
    assert any(message.startswith("Stale imports ended 0") for message in messages)
    assert any(message.startswith("cleanup: ") for message in messages)  # progress at verbosity 2
    caplog.clear()
    run("cleanup_imports", verbosity=0)
    assert not [record for record in caplog.records if record.name.startswith("applicants")]


def test_logger_levels_and_propagation_are_restored_after_a_command(register_world):
    before = [(logging.getLogger(name).level, logging.getLogger(name).propagate) for name in APPS]
    run("cleanup_imports", verbosity=3)
    assert [(logging.getLogger(name).level, logging.getLogger(name).propagate) for name in APPS] == before


@pytest.mark.slow
def test_seed_demo_is_silent_at_verbosity_0_and_shows_its_steps_at_2():
    assert run("seed_demo", "--applicants", "10", verbosity=0) == ("", "")
    out, _ = run("seed_demo", "--applicants", "10", verbosity=2)
    assert "seed_demo: users, programs and pages" in out and "seed_demo: certificates" in out
    assert "Konten demo siap." in out
