"""Migrations are checked in; the Open edX plugin declaration is where the LMS looks for it."""

import ast
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import resolve, reverse

BACKEND = Path(__file__).resolve().parents[1]


@pytest.mark.django_db
def test_no_missing_migrations():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exit_:  # makemigrations --check exits 1 when a migration is missing
        pytest.fail(f"missing migrations (exit {exit_.code}):\n{out.getvalue()}")
    assert "No changes detected" in out.getvalue()


def test_plugin_app_declaration():
    config = apps.get_app_config("waffle_enrollments")
    urls = config.plugin_app["url_config"]["lms.djangoapp"]
    assert urls == {"namespace": "waffle_enrollments", "regex": r"^api/waffle-enrollments/v1/", "relative_path": "urls"}
    settings_config = config.plugin_app["settings_config"]["lms.djangoapp"]
    for settings_type, entry in settings_config.items():
        module = __import__(f"waffle_enrollments.{entry['relative_path']}", fromlist=["plugin_settings"])
        assert callable(module.plugin_settings), settings_type


def test_production_plugin_settings_merge_yaml_tokens():
    from types import SimpleNamespace

    from waffle_enrollments.settings import production

    settings = SimpleNamespace(ENV_TOKENS={"WAFFLE_ENROLLMENTS": {"MAX_DURATION": 3600}})
    production.plugin_settings(settings)
    assert settings.WAFFLE_ENROLLMENTS == {"MAX_DURATION": 3600}


def test_entry_point_in_setup_py():
    tree = ast.parse((BACKEND / "setup.py").read_text())
    entry_points = next(
        kw.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        for kw in node.keywords
        if kw.arg == "entry_points"
    )
    assert ast.literal_eval(entry_points) == {
        "lms.djangoapp": ["waffle_enrollments = waffle_enrollments.apps:WaffleEnrollmentsConfig"],
        "cms.djangoapp": ["waffle_enrollments = waffle_enrollments.apps:WaffleEnrollmentsConfig"],
    }


def test_studio_gets_the_settings_and_no_urls():
    config = apps.get_app_config("waffle_enrollments")
    assert (
        config.plugin_app["settings_config"]["cms.djangoapp"] == config.plugin_app["settings_config"]["lms.djangoapp"]
    )
    assert "cms.djangoapp" not in config.plugin_app["url_config"]


def test_urls_are_mounted_where_the_plugin_says():
    assert reverse("waffle_enrollments:flags") == "/api/waffle-enrollments/v1/flags/"
    assert resolve("/api/waffle-enrollments/v1/enrollments/7/").kwargs == {"pk": "7"}


def test_openapi_document_lists_every_route():
    text = (BACKEND.parent / "docs" / "api" / "openapi.yaml").read_text()
    for route in ("/flags/:", "/enrollments/:", "/enrollments/{id}/:"):
        assert route in text
    for status in ("'400'", "'401'", "'403'", "'404'", "'409'", "'413'", "'503'"):
        assert status in text


def test_policy_settings_are_validated():
    from django.core.exceptions import ImproperlyConfigured
    from django.test import override_settings

    from waffle_enrollments.checks import check_policy_settings
    from waffle_enrollments.policy import get_policy

    for bad in (
        {"MAX_DURATION": 0},
        {"MAX_DURATION": "7d"},
        {"ENROLLABLE_FLAGS": "enterprise.*"},
        {"DEFAULT_DURATION": 10, "MAX_DURATION": 5},
        {"TYPO": 1},
        {"MAX_BODY_BYTES": True},
    ):
        with override_settings(WAFFLE_ENROLLMENTS=bad):
            with pytest.raises(ImproperlyConfigured):
                get_policy()
            assert [e.id for e in check_policy_settings(None)] == ["waffle_enrollments.E001"]
    with override_settings(WAFFLE_ENROLLMENTS={"MAX_DURATION": 60, "DEFAULT_DURATION": 30}):
        policy = get_policy()
        assert policy.max_duration.total_seconds() == 60 and policy.is_enrollable("enterprise.x")
        assert not policy.is_enrollable("enterprisex") and not policy.is_enrollable("Enterprise.x")
