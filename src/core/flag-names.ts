// Response key in `enterprise_features` -> the Waffle flag behind it (edx-enterprise `enterprise/toggles.py`).
// Four keys differ from their flag's name. The set changes between releases: a key missing here is still
// shown, as it is, marked unknown. `flag-names.test.ts` keeps this in step with the recorded fixture.
export const FLAG_NAMES: Readonly<Record<string, string>> = Object.freeze({
  top_down_assignment_real_time_lcm: 'enterprise.top_down_assignment_real_time_lcm',
  feature_prequery_search_suggestions: 'enterprise.feature_prequery_search_suggestions',
  enterprise_customer_support_tool: 'enterprise.enterprise_customer_support_tool',
  enterprise_learner_bff_enabled: 'enterprise.learner_bff_enabled',
  admin_portal_learner_profile_view_enabled: 'enterprise.admin_portal_learner_profile_view_enabled',
  catalog_query_search_filters_enabled: 'enterprise.catalog_query_search_filters_enabled',
  enterprise_admin_onboarding_enabled: 'enterprise.enterprise_admin_onboarding',
  enterprise_edit_highlights_enabled: 'enterprise.edit_highlights_enabled',
  enterprise_ai_pathways_operator_enabled: 'enterprise.ai_pathways_operator_enabled',
  use_algolia_index_v2: 'enterprise.use_algolia_index_v2',
});

/** The Waffle flag name for a response key, or null when the key is unknown. */
export function flagNameFor(key: string): string | null {
  return Object.prototype.hasOwnProperty.call(FLAG_NAMES, key) ? (FLAG_NAMES[key] ?? null) : null;
}

/** The response key for a Waffle flag name (the inverse table), or null. */
export function keyForFlag(flag: string): string | null {
  for (const [key, name] of Object.entries(FLAG_NAMES)) if (name === flag) return key;
  return null;
}
