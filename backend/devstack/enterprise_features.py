"""``enterprise_features``: the map edx-enterprise adds to its responses, evaluated by waffle.

Keys are the response keys of edx-enterprise (enterprise/toggles.py); values are the Waffle flags
behind them (mirrors fixtures/openedx/edx-enterprise-toggles-enterprise_features.json: four keys differ
from their flag's name).
"""

import waffle
from django.http import HttpRequest

FLAG_NAMES = {
    "top_down_assignment_real_time_lcm": "enterprise.top_down_assignment_real_time_lcm",
    "feature_prequery_search_suggestions": "enterprise.feature_prequery_search_suggestions",
    "enterprise_customer_support_tool": "enterprise.enterprise_customer_support_tool",
    "enterprise_learner_bff_enabled": "enterprise.learner_bff_enabled",
    "admin_portal_learner_profile_view_enabled": "enterprise.admin_portal_learner_profile_view_enabled",
    "catalog_query_search_filters_enabled": "enterprise.catalog_query_search_filters_enabled",
    "enterprise_admin_onboarding_enabled": "enterprise.enterprise_admin_onboarding",
    "enterprise_edit_highlights_enabled": "enterprise.edit_highlights_enabled",
    "enterprise_ai_pathways_operator_enabled": "enterprise.ai_pathways_operator_enabled",
    "use_algolia_index_v2": "enterprise.use_algolia_index_v2",
}


def enterprise_features(request):
    """Evaluate every flag for the user of ``request`` (a DRF or Django request), as the LMS does.

    Not read-only: a percent flag decided now is remembered in its ``dwf_`` cookie by
    WaffleMiddleware, exactly as in the LMS.
    """
    http_request = getattr(request, "_request", request)
    return {key: bool(waffle.flag_is_active(http_request, name)) for key, name in FLAG_NAMES.items()}


def enterprise_features_as_bff(request):
    """Evaluate every flag as enterprise-access's BFF gets them: from the LMS, called with only the JWT.

    The BFF forwards neither the browser's cookies (``dwft_``, ``dwf_``) nor its query string, so a
    testing-mode override or a sticky percent decision of this browser never reaches that evaluation:
    the LMS and the BFF can disagree in one page load, as they do in production.
    """
    http_request = getattr(request, "_request", request)
    bare = HttpRequest()
    bare.method = "GET"
    bare.user = http_request.user
    return {key: bool(waffle.flag_is_active(bare, name)) for key, name in FLAG_NAMES.items()}
