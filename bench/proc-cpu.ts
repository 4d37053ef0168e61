// CPU time of a browser and all its processes (Linux: /proc/<pid>/task/*/schedstat, in ns), for the
// page-cost bench: what the extension costs the whole machine, not only the page's main thread. Unlike
// the renderer's busy time (wall time of its tasks), CPU time does not grow when another process takes
// the core away, so it moves far less from run to run on a shared machine. NaN where /proc is missing.
import { readdirSync, readFileSync } from 'node:fs';

function children(): Map<number, number[]> {
  const kids = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = kids.get(ppid) ?? [];
      list.push(Number(entry));
      kids.set(ppid, list);
    } catch {
      // The process ended meanwhile.
    }
  }
  return kids;
}

/** CPU milliseconds used so far by `rootPid` and every process below it. */
export function treeCpuMs(rootPid: number | undefined): number {
  if (rootPid === undefined) return Number.NaN;
  try {
    const kids = children();
    let ns = 0;
    const stack = [rootPid];
    while (stack.length > 0) {
      const pid = stack.pop()!;
      try {
        for (const task of readdirSync(`/proc/${pid}/task`)) {
          ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
        }
      } catch {
        // The process ended meanwhile.
      }
      stack.push(...(kids.get(pid) ?? []));
    }
    return ns / 1e6;
  } catch {
    return Number.NaN;
  }
}
