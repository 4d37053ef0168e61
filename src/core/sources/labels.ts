// How each source is named in the popup and reports. Kept apart from the rules so that pages which
// only show labels do not bundle the extraction code.
import type { SourceId } from '../types';

export const SOURCE_LABELS: Readonly<Record<SourceId, string>> = {
  'enterprise-learner': 'enterprise-learner',
  'enterprise-customer': 'enterprise-customer',
  'enterprise-customer-dashboard-list': 'enterprise-customer/dashboard_list',
  'enterprise-customer-with-access-to': 'enterprise-customer/with_access_to',
  'enterprise-customer-support-tool': 'enterprise-customer/support_tool',
  'bff-learner': 'BFF learner',
};

export function sourceLabel(id: SourceId): string {
  return SOURCE_LABELS[id] ?? id;
}
