// The one test the page interceptor runs on every request's path: does any source read it?
// Only the path patterns of the rules are bundled into the interceptor, not their extraction code
// (see the `paths.test.ts`, which keeps this list equal to the rules').
export const SOURCE_PATH =
  /^(?:\/enterprise\/api\/v1\/enterprise-(?:learner|customer|customer\/(?:dashboard_list|with_access_to|support_tool))\/?|\/api\/v1\/bffs\/learner\/[a-z0-9_-]+\/?)$/;
