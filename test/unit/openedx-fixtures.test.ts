// Every field of the recorded Open edX responses is a field the real serializers write. The field lists were
// read from the upstream sources named in test/fixtures/openedx/README.md; a fixture may leave fields out
// (the extension reads few of them) but must not invent one, or the tests would pass on a shape no LMS sends.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, OPENEDX_FIXTURES_DIR } from '../fixtures';

/** Field name → the shape of its value (objects, or each item of a list), or `null` for a plain value. */
interface Shape {
  [field: string]: Shape | null;
}

const leaves = (...names: string[]): Shape => Object.fromEntries(names.map((n) => [n, null]));

// edx-enterprise enterprise/toggles.py, enterprise_features()
const ENTERPRISE_FEATURES = leaves(
  'top_down_assignment_real_time_lcm',
  'feature_prequery_search_suggestions',
  'enterprise_customer_support_tool',
  'enterprise_learner_bff_enabled',
  'admin_portal_learner_profile_view_enabled',
  'catalog_query_search_filters_enabled',
  'enterprise_admin_onboarding_enabled',
  'enterprise_edit_highlights_enabled',
  'enterprise_ai_pathways_operator_enabled',
  'use_algolia_index_v2',
);

// edx-rest-framework-extensions DefaultPagination + edx-enterprise PaginationWithFeatureFlags
const paginated = (result: Shape): Shape => ({
  ...leaves('next', 'previous', 'count', 'num_pages', 'current_page', 'start'),
  results: result,
  enterprise_features: ENTERPRISE_FEATURES,
});

// edx-enterprise enterprise/api/v1/serializers.py EnterpriseCustomerSerializer
const ENTERPRISE_CUSTOMER: Shape = {
  ...leaves(
    'uuid',
    'name',
    'slug',
    'active',
    'auth_org_id',
    'site',
    'enable_data_sharing_consent',
    'enforce_data_sharing_consent',
    'branding_configuration',
    'disable_expiry_messaging_for_learner_credit',
    'identity_provider',
    'enable_audit_enrollment',
    'replace_sensitive_sso_username',
    'enable_portal_code_management_screen',
    'sync_learner_profile_data',
    'enable_audit_data_reporting',
    'enable_learner_portal',
    'enable_learner_portal_offers',
    'enable_portal_learner_credit_management_screen',
    'enable_executive_education_2U_fulfillment',
    'enable_portal_reporting_config_screen',
    'enable_portal_saml_configuration_screen',
    'contact_email',
    'enable_portal_subscription_management_screen',
    'hide_course_original_price',
    'enable_analytics_screen',
    'enable_people_management',
    'enable_integrated_customer_learner_portal_search',
    'enable_generation_of_api_credentials',
    'enable_portal_lms_configurations_screen',
    'sender_alias',
    'identity_providers',
    'enterprise_customer_catalogs',
    'reply_to',
    'enterprise_notification_banner',
    'hide_labor_market_data',
    'modified',
    'enable_universal_link',
    'enable_browse_and_request',
    'enable_learner_portal_sidebar_message',
    'learner_portal_sidebar_content',
    'enable_pathways',
    'enable_credit_and_industry_pathways',
    'enable_programs',
    'enable_demo_data_for_analytics_and_lpr',
    'enable_academies',
    'enable_one_academy',
    'active_integrations',
    'show_videos_in_learner_portal_search_results',
    'default_language',
    'country',
    'enable_slug_login',
    'enable_learner_credit_message_box',
  ),
  admin_users: leaves('email', 'lms_user_id'),
};

// edx-enterprise EnterpriseCustomerUserReadOnlySerializer, with UserSerializer for `user`
const ENTERPRISE_CUSTOMER_USER: Shape = {
  ...leaves('id', 'active', 'user_id', 'data_sharing_consent_records', 'groups', 'created', 'invite_key'),
  ...leaves('role_assignments', 'enterprise_group'),
  enterprise_customer: ENTERPRISE_CUSTOMER,
  user: leaves('id', 'username', 'first_name', 'last_name', 'email', 'is_staff', 'is_active', 'date_joined'),
};

// enterprise-access enterprise_access/apps/bffs/serializers.py
const BFF_ENTERPRISE_CUSTOMER = leaves(
  ...Object.keys(ENTERPRISE_CUSTOMER).filter((f) => f !== 'enable_credit_and_industry_pathways'),
  'disable_search',
  'show_integration_warning',
);
const BFF_LEARNER_DASHBOARD: Shape = {
  ...leaves('errors', 'warnings', 'should_update_active_enterprise_customer_user'),
  ...leaves('catalog_uuids_to_catalog_query_uuids', 'algolia', 'enterprise_course_enrollments'),
  ...leaves('all_enrollments_by_status', 'has_bnr_enabled_policy'),
  enterprise_features: ENTERPRISE_FEATURES,
  enterprise_customer: BFF_ENTERPRISE_CUSTOMER,
  active_enterprise_customer: BFF_ENTERPRISE_CUSTOMER,
  staff_enterprise_customer: BFF_ENTERPRISE_CUSTOMER,
  all_linked_enterprise_customer_users: { ...leaves('id', 'active'), enterprise_customer: BFF_ENTERPRISE_CUSTOMER },
  enterprise_customer_user_subsidies: {
    subscriptions: {
      ...leaves('customer_agreement', 'subscription_licenses', 'subscription_license', 'subscription_plan'),
      ...leaves('show_expiration_notifications'),
      subscription_licenses_by_status: leaves('activated', 'assigned', 'revoked'),
    },
  },
};

const SHAPES: Record<string, Shape> = {
  'lms-enterprise-api-v1-enterprise-learner.json': paginated(ENTERPRISE_CUSTOMER_USER),
  'lms-enterprise-api-v1-enterprise-customer-dashboard_list.json': paginated(ENTERPRISE_CUSTOMER),
  'enterprise-access-api-v1-bffs-learner-dashboard.json': BFF_LEARNER_DASHBOARD,
  'lms-enterprise-api-v1-enterprise-customer-with_access_to.json': paginated(ENTERPRISE_CUSTOMER),
  'lms-enterprise-api-v1-enterprise-customer-support_tool.json': paginated(ENTERPRISE_CUSTOMER),
  'enterprise-access-api-v1-bffs-learner-search.json': BFF_LEARNER_DASHBOARD,
  'enterprise-access-api-v1-bffs-learner-academy.json': BFF_LEARNER_DASHBOARD,
  'enterprise-access-api-v1-bffs-learner-skills-quiz.json': BFF_LEARNER_DASHBOARD,
};

/** Paths (a.b.c) of fields in `value` that `shape` does not have. */
function unknownFields(value: unknown, shape: Shape, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((item) => unknownFields(item, shape, path));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) => {
    const here = path ? `${path}.${key}` : key;
    if (!(key in shape)) return [here];
    const innerShape = shape[key];
    return innerShape ? unknownFields(inner, innerShape, here) : [];
  });
}

describe('test/fixtures/openedx', () => {
  it.each(Object.entries(SHAPES))('%s has only fields the upstream serializers write', (name, shape) => {
    expect(unknownFields(fixture(name), shape)).toEqual([]);
  });

  it('the check finds a field no serializer writes', () => {
    const body = fixture<{ results: Record<string, unknown>[] }>('lms-enterprise-api-v1-enterprise-learner.json');
    body.results[0]!['enterprise_customer'] = { uuid: 'u', made_up: true };
    expect(unknownFields(body, paginated(ENTERPRISE_CUSTOMER_USER))).toEqual(['results.enterprise_customer.made_up']);
  });

  it('the feature table covers exactly the keys of enterprise_features()', () => {
    const { _about, ...table } = fixture<Record<string, string>>('edx-enterprise-toggles-enterprise_features.json');
    expect(typeof _about).toBe('string');
    expect(Object.keys(table).sort()).toEqual(Object.keys(ENTERPRISE_FEATURES).sort());
  });

  it('every fixture file is listed in the README, and each response fixture is checked above', () => {
    const readme = readFileSync(join(OPENEDX_FIXTURES_DIR, 'README.md'), 'utf8');
    const files = readdirSync(OPENEDX_FIXTURES_DIR).filter((f) => f.endsWith('.json'));
    expect(files.filter((f) => !readme.includes(`\`${f}\``))).toEqual([]);
    const notResponses = [
      'edx-enterprise-toggles-enterprise_features.json',
      'lms-edx-jwt-cookie-header-payload-staff.json',
    ];
    expect(files.filter((f) => !(f in SHAPES) && !notResponses.includes(f))).toEqual([]);
  });
});
