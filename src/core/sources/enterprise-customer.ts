// Learner portal, staff users: GET {LMS}/enterprise/api/v1/enterprise-customer/?slug=..
import { featuresRule, readEnterprise, results, type SourceRule } from './rule';

export const enterpriseCustomer: SourceRule = {
  id: 'enterprise-customer',
  method: 'GET',
  path: /^\/enterprise\/api\/v1\/enterprise-customer\/?$/,
  extract: featuresRule((body) => ({ enterprise: readEnterprise(results(body)[0]), username: null })),
};
