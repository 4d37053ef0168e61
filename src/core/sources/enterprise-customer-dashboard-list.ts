// Admin portal: GET {LMS}/enterprise/api/v1/enterprise-customer/dashboard_list/?enterprise_slug=..
import { featuresRule, readEnterprise, results, type SourceRule } from './rule';

export const enterpriseCustomerDashboardList: SourceRule = {
  id: 'enterprise-customer-dashboard-list',
  method: 'GET',
  path: /^\/enterprise\/api\/v1\/enterprise-customer\/dashboard_list\/?$/,
  extract: featuresRule((body) => ({ enterprise: readEnterprise(results(body)[0]), username: null })),
};
