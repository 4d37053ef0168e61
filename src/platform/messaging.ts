// Typed send/listen over runtime messaging. Every message carries MESSAGE_TAG; the receiver decides
// whether the sender may send it (see background/index.ts), failing closed.
import { MESSAGE_TAG, type AnyMessages, type ContentCommands, type Envelope, type MessageType } from '../core/messages';
import { browser } from './browser';

export async function send<K extends MessageType>(
  type: K,
  payload: AnyMessages[K]['req'],
): Promise<AnyMessages[K]['res']> {
  const envelope: Envelope<K> = { tag: MESSAGE_TAG, type, payload };
  return (await browser.runtime.sendMessage(envelope)) as AnyMessages[K]['res'];
}

/** Sends a command to the content script in a tab's top frame. Rejects when there is none. */
export async function sendToTab<K extends keyof ContentCommands>(
  tabId: number,
  type: K,
  payload: ContentCommands[K]['req'],
): Promise<ContentCommands[K]['res']> {
  const envelope = { tag: MESSAGE_TAG, type, payload };
  return (await browser.tabs.sendMessage(tabId, envelope, { frameId: 0 })) as ContentCommands[K]['res'];
}
