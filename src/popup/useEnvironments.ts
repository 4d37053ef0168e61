// The environments to recognise portals by: the user's own (options page) and the presets, kept live.
import { useEffect, useState } from 'preact/hooks';
import { PRESETS } from '../core/environment';
import { allEnvironments } from '../core/settings';
import type { Environment } from '../core/types';
import { loadCustomEnvironments, watchCustomEnvironments } from '../platform/settings-store';

export function useEnvironments(): readonly Environment[] {
  const [environments, setEnvironments] = useState<readonly Environment[]>(PRESETS);
  useEffect(() => {
    let closed = false;
    const stop = watchCustomEnvironments((custom) => setEnvironments(allEnvironments(custom)));
    loadCustomEnvironments().then(
      (custom) => {
        if (!closed) setEnvironments(allEnvironments(custom));
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
