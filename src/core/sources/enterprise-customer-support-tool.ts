// Support tools app: GET {LMS}/enterprise/api/v1/enterprise-customer/support_tool/?page=..
// A paginated list of every customer for support staff (the customer viewset's pagination, so the map
// sits at the top level). The list is a directory of customers, not the page's own customer: only a
// list narrowed to one names the enterprise.
import { featuresRule, readEnterprise, results, type SourceRule } from './rule';

export const enterpriseCustomerSupportTool: SourceRule = {
  id: 'enterprise-customer-support-tool',
  method: 'GET',
  path: /^\/enterprise\/api\/v1\/enterprise-customer\/support_tool\/?$/,
  extract: featuresRule((body) => {
    const list = results(body);
    return { enterprise: list.length === 1 ? readEnterprise(list[0]) : null, username: null };
  }),
};
