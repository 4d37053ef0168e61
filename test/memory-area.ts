// An in-memory `storage.session` for TabStore in unit tests: values are cloned on the way in and out,
// and each call settles a microtask later, as the browser's area does.
import type { SessionArea } from '../src/background/tab-store';

export class MemoryArea implements SessionArea {
  items = new Map<string, unknown>();
  async get(key: string) {
    await Promise.resolve();
    return this.items.has(key) ? { [key]: structuredClone(this.items.get(key)) } : {};
  }
  async set(items: Record<string, unknown>) {
    await Promise.resolve();
    for (const [k, v] of Object.entries(items)) this.items.set(k, structuredClone(v));
  }
  async remove(key: string) {
    this.items.delete(key);
  }
}
