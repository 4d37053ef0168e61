// Another user's flags next to mine: one row per flag, the ones whose values differ first, and how
// many differ. Both sides come from `GET flags/` with the same names (or the same search), mine as my
// portal receives them (my cookies), theirs evaluated by the LMS for a request of theirs without cookies.
import type { FlagInfo, FlagsResponse } from './backend-api';
import { valueOf, type FlagValue } from './why';

export interface ComparedFlag {
  name: string;
  mine: FlagInfo | null;
  theirs: FlagInfo | null;
  /** Null when the flag is missing from that side's answer. */
  mineValue: FlagValue | null;
  theirsValue: FlagValue | null;
  differs: boolean;
}

export interface Comparison {
  rows: ComparedFlag[];
  differing: number;
}

export function compareFlags(mine: FlagsResponse, theirs: FlagsResponse): Comparison {
  const myFlags = new Map(mine.flags.map((f) => [f.name, f]));
  const theirFlags = new Map(theirs.flags.map((f) => [f.name, f]));
  const names = [...new Set([...myFlags.keys(), ...theirFlags.keys()])];
  const rows = names.map((name): ComparedFlag => {
    const m = myFlags.get(name) ?? null;
    const t = theirFlags.get(name) ?? null;
    const mineValue = m ? valueOf(m) : null;
    const theirsValue = t ? valueOf(t) : null;
    return {
      name,
      mine: m,
      theirs: t,
      mineValue,
      theirsValue,
      differs: mineValue !== null && theirsValue !== null && mineValue !== theirsValue,
    };
  });
  rows.sort((a, b) => Number(b.differs) - Number(a.differs) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { rows, differing: rows.filter((r) => r.differs).length };
}

/** "4 differ", "1 differs", "none differ". */
export function differCount(n: number): string {
  return n === 0 ? 'none differ' : `${n} differ${n === 1 ? 's' : ''}`;
}
