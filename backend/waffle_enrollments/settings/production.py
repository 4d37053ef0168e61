"""Production settings hook: reads ``WAFFLE_ENROLLMENTS`` from the LMS YAML config if present."""

from .common import plugin_settings as common_plugin_settings


def plugin_settings(settings):
    common_plugin_settings(settings)
    env_tokens = getattr(settings, "ENV_TOKENS", None) or {}
    from_yaml = env_tokens.get("WAFFLE_ENROLLMENTS")
    if isinstance(from_yaml, dict):
        merged = dict(settings.WAFFLE_ENROLLMENTS)
        merged.update(from_yaml)
        settings.WAFFLE_ENROLLMENTS = merged
