// Typed send/listen over runtime messaging. Every message carries MESSAGE_TAG; the receiver decides
// whether the sender may send it (see background/index.ts), failing closed.
import { MESSAGE_TAG, type AnyMessages, type Envelope, type MessageType } from '../core/messages';
import { browser } from './browser';

export async function send<K extends MessageType>(
  type: K,
  payload: AnyMessages[K]['req'],
): Promise<AnyMessages[K]['res']> {
  const envelope: Envelope<K> = { tag: MESSAGE_TAG, type, payload };
  return (await browser.runtime.sendMessage(envelope)) as AnyMessages[K]['res'];
}
