export function listFiles(dir: string): [string, string][];
export function zip(entries: [string, Buffer][]): Buffer;
export function zipDirectory(dir: string): Buffer;
