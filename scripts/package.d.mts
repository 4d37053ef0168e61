export function packageNames(version: string): { chrome: string; firefox: string };
export function webExtLint(dir: string): unknown;
