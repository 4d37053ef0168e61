// The environments to recognise portals by: the user's own (options page) and the presets, kept live.
import { useLayoutEffect, useState } from 'preact/hooks';
import { PRESETS } from '../core/environment';
import { allEnvironments } from '../core/settings';
import type { Environment } from '../core/types';
import { loadCustomEnvironments, watchCustomEnvironments } from '../platform/settings-store';

export function useEnvironments(): readonly Environment[] {
  const [environments, setEnvironments] = useState<readonly Environment[]>(PRESETS);
  // Asked at once (a layout effect runs before the first paint), and the presets kept as they are when
  // the user has none of their own: a new list would rebuild the whole popup for nothing.
  useLayoutEffect(() => {
    let closed = false;
    const update = (custom: Environment[]) => setEnvironments(custom.length === 0 ? PRESETS : allEnvironments(custom));
    const stop = watchCustomEnvironments(update);
    loadCustomEnvironments().then(
      (custom) => {
        if (!closed) update(custom);
      },
      () => undefined, // the presets stay: better a label missing than no popup
    );
    return () => {
      closed = true;
      stop();
    };
  }, []);
  return environments;
}
