// Learner portal BFF routes: POST {enterprise-access}/api/v1/bffs/learner/{dashboard,search,academy,skills-quiz}/
// The map sits at the top level after `errors`/`warnings`; the customer is `enterprise_customer`.
import { featuresRule, readEnterprise, type SourceRule } from './rule';

export const bffLearner: SourceRule = {
  id: 'bff-learner',
  method: 'POST',
  path: /^\/api\/v1\/bffs\/learner\/[a-z0-9_-]+\/?$/,
  extract: featuresRule((body) => ({
    enterprise: readEnterprise(body['enterprise_customer']) ?? readEnterprise(body['active_enterprise_customer']),
    username: null,
  })),
};
