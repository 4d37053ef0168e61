"""Without edx-enterprise installed, customer enrollments say they are unavailable and everything else works.

The suite's settings include the ``enterprise`` stand-in, so the first test runs this file again in a
new process with ``tests.settings_without_enterprise``, where the others run (and are skipped here).
"""

import os
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from waffle.models import Flag

from waffle_enrollments import customer_directory

from .conftest import make_user

WITHOUT_ENTERPRISE = not apps.is_installed("enterprise_standin")
only_without = pytest.mark.skipif(not WITHOUT_ENTERPRISE, reason="runs in the process started by the first test")
BACKEND = Path(__file__).resolve().parents[1]
INNER_TESTS = 4


@pytest.mark.skipif(WITHOUT_ENTERPRISE, reason="this is the inner run")
def test_this_file_passes_with_settings_that_leave_enterprise_out():
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--color=no",
            "--ds=tests.settings_without_enterprise",
            str(Path(__file__).relative_to(BACKEND)),
        ],
        cwd=BACKEND,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert re.search(rf"\b{INNER_TESTS} passed, 1 skipped\b", run.stdout), run.stdout[-2000:]


@only_without
def test_the_app_is_absent():
    assert customer_directory.is_available() is False
    with pytest.raises(LookupError):
        apps.get_app_config("enterprise")


@only_without
@pytest.mark.django_db
def test_every_customer_endpoint_is_404_with_a_sentence(api, django_user_model):
    Flag.objects.create(name="enterprise.pilot")
    qa = make_user(django_user_model, "qa", staff=True, perms=["enroll_customers"])
    body = {"flag": "enterprise.pilot", "enterprise_customer": "test-enterprise", "duration": 60, "reason": "x"}
    for response in (
        api(qa).post("customer-enrollments/", body),
        api(qa).get("customer-enrollments/"),
        api(qa).get("customer-enrollments/1/"),
        api(qa).delete("customer-enrollments/1/"),
        api(qa).get("enterprise-customers/test-enterprise/"),
    ):
        assert response.status_code == 404, response.content
        assert response.json()["detail"] == customer_directory.UNAVAILABLE


@only_without
@pytest.mark.django_db
def test_everything_else_works(api, django_user_model):
    flag = Flag.objects.create(name="enterprise.pilot")
    staff = make_user(django_user_model, "staff", staff=True)
    flags = api(staff).get("flags/")
    assert flags.status_code == 200, flags.content
    body = flags.json()
    assert [f["name"] for f in body["flags"]] == ["enterprise.pilot"]
    assert body["features"] == {"customer_enrollments": False}
    assert body["subject"]["enterprise_customers"] == []
    assert body["permissions"]["can_enroll_customers"] is False
    assert body["flags"][0]["criteria"]["customers"] == [] and body["flags"][0]["me"]["customers"] == []
    enrolled = api(staff).post("enrollments/", {"flag": "enterprise.pilot", "duration": 60, "reason": "t"})
    assert enrolled.status_code == 201, enrolled.content
    assert list(flag.users.all()) == [staff]
    assert customer_directory.customers_of(staff) == []
    out = StringIO()
    call_command("expire_waffle_enrollments", stdout=out)
    assert "Expired 0 customer enrollment(s)." in out.getvalue()


@only_without
@pytest.mark.django_db
def test_resync_command_says_why_it_cannot_run():
    with pytest.raises(CommandError, match="edx-enterprise"):
        call_command("resync_customer_enrollments", stdout=StringIO())
