import { beforeEach, describe, expect, it, vi } from 'vitest';
import { random, randomInt } from '../../test/random';

const sent = vi.hoisted(() => [] as { type: string; payload: unknown }[]);
vi.mock('../platform/messaging', () => ({
  askWorker: vi.fn(async (type: string, payload: unknown) => {
    sent.push({ type, payload });
    return null;
  }),
}));

const { popupActions } = await import('./actions');

beforeEach(() => {
  sent.length = 0;
});

describe('popupActions', () => {
  it('reloads the tab through the background', async () => {
    const id = randomInt(0, 10_000);
    await popupActions(id, null).reload();
    expect(sent).toEqual([{ type: 'popup/reload', payload: { tabId: id } }]);
    await expect(popupActions(null, null).reload()).rejects.toThrow(/no tab/);
  });

  it('writes the report to the clipboard', async () => {
    const text = `## report ${random()}`;
    const writeText = vi.fn(async (_text: string) => undefined);
    await popupActions(1, { writeText }).copyReport(text);
    expect(writeText).toHaveBeenCalledWith(text);
  });

  it('turns a refusal of the clipboard into a sentence', async () => {
    const writeText = vi.fn(async () =>
      Promise.reject(new DOMException('Document is not focused.', 'NotAllowedError')),
    );
    await expect(popupActions(1, { writeText }).copyReport('x')).rejects.toThrow(
      'the browser refused to write to the clipboard (Document is not focused.). Click into the popup and try again.',
    );
    await expect(popupActions(1, null).copyReport('x')).rejects.toThrow(/no clipboard/);
  });
});
