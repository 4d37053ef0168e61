// Learner portal: GET {LMS}/enterprise/api/v1/enterprise-learner/?username=..&page=1
// A paginated list of the user's enterprise links; the active link names the customer.
import { featuresRule, isRecord, readEnterprise, results, type SourceRule } from './rule';

export const enterpriseLearner: SourceRule = {
  id: 'enterprise-learner',
  method: 'GET',
  path: /^\/enterprise\/api\/v1\/enterprise-learner\/?$/,
  extract: featuresRule((body) => {
    const links = results(body).filter(isRecord);
    const link = links.find((l) => l['active'] === true) ?? links[0];
    const user = link && isRecord(link['user']) ? link['user'] : null;
    const username = user && typeof user['username'] === 'string' ? user['username'] : null;
    return { enterprise: link ? readEnterprise(link['enterprise_customer']) : null, username };
  }),
};
