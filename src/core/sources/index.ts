// The registry of sources. Adding a source: write its rule file with a fixture test, list it here.
import { bffLearner } from './bff-learner';
import { enterpriseCustomer } from './enterprise-customer';
import { enterpriseCustomerDashboardList } from './enterprise-customer-dashboard-list';
import { enterpriseCustomerSupportTool } from './enterprise-customer-support-tool';
import { enterpriseCustomerWithAccessTo } from './enterprise-customer-with-access-to';
import { enterpriseLearner } from './enterprise-learner';
import type { SourceRule } from './rule';

export const SOURCES: readonly SourceRule[] = [
  enterpriseLearner,
  enterpriseCustomer,
  enterpriseCustomerDashboardList,
  enterpriseCustomerWithAccessTo,
  enterpriseCustomerSupportTool,
  bffLearner,
];

/** The rule for a request, or null when no source reads it. */
export function ruleFor(method: string, url: URL): SourceRule | null {
  const m = method.toUpperCase();
  for (const rule of SOURCES) {
    if (rule.method === m && rule.path.test(url.pathname) && (rule.accepts?.(url) ?? true)) return rule;
  }
  return null;
}

export type { SourceRule } from './rule';
