// Admin and support apps: GET {LMS}/enterprise/api/v1/enterprise-customer/with_access_to/?permissions=..
// A paginated list of the customers the user has a group permission on (edx-enterprise's customer
// viewset, PaginationWithFeatureFlags): the map at the top level. With several customers in the list,
// none is "the" customer of the page, so the enterprise is named only when the list has exactly one.
import { featuresRule, readEnterprise, results, type SourceRule } from './rule';

export const enterpriseCustomerWithAccessTo: SourceRule = {
  id: 'enterprise-customer-with-access-to',
  method: 'GET',
  path: /^\/enterprise\/api\/v1\/enterprise-customer\/with_access_to\/?$/,
  extract: featuresRule((body) => {
    const list = results(body);
    return { enterprise: list.length === 1 ? readEnterprise(list[0]) : null, username: null };
  }),
};
