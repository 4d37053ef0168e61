// The page interceptor: runs in the portal's MAIN world at document_start, before any page script.
//
// It observes XMLHttpRequest and fetch, and for the few URLs a source rule reads (SOURCE_PATH) hands a
// copy of the response body to the content script as a string in a CustomEvent. It must be invisible:
// - the page gets the same objects, bodies, statuses, headers, events, order and errors;
// - it never throws into the page (every step is inside try/catch);
// - it only calls built-ins it captured at install time, through a captured Reflect.apply, so a page
//   that later patches a prototype (Array, RegExp, WeakMap, Promise, EventTarget) sees none of our calls;
// - for a non-matching request the whole cost is one URL parse and one regex test.
// Built as a standalone IIFE (crxjs `*.iife.ts`): no imports at run time, no `chrome.*`.
import { BODY_CAP, ENVELOPE_EVENT, encodeEnvelope } from '../core/envelope';
import { SOURCE_PATH } from '../core/sources/paths';

type Fn = (...args: never[]) => unknown;
interface Pending {
  method: string;
  url: string;
  listener: (() => void) | null;
}

(() => {
  const win = window;
  const doc = document;
  const apply = Reflect.apply;
  const getDesc = Object.getOwnPropertyDescriptor;
  const getter = (proto: object, name: string): Fn | undefined => getDesc(proto, name)?.get as Fn | undefined;
  const call = <T>(fn: Fn | undefined, self: unknown, args: unknown[] = []): T => apply(fn as Fn, self, args) as T;

  const NativeURL = URL;
  const NativeCustomEvent = CustomEvent;
  const exec = RegExp.prototype.exec;
  const dispatch = EventTarget.prototype.dispatchEvent;
  const listen = EventTarget.prototype.addEventListener;
  const unlisten = EventTarget.prototype.removeEventListener;
  const wmGet = WeakMap.prototype.get;
  const wmSet = WeakMap.prototype.set;
  const then = Promise.prototype.then;
  const stringify = JSON.stringify;
  const hasOwn = Object.prototype.hasOwnProperty;
  const upper = String.prototype.toUpperCase;
  const urlHref = getter(NativeURL.prototype, 'href');
  const urlPath = getter(NativeURL.prototype, 'pathname');
  const baseURI = getter(Node.prototype, 'baseURI');

  /**
   * A native getter's value for `self`, or null when `self` is not of that native type. This is the
   * brand check: unlike `Object.prototype.toString` it reads no `Symbol.toStringTag` and runs no page
   * code (a getter the page put there would see our call).
   */
  function branded<T>(get: Fn | undefined, self: unknown): T | null {
    if (self === null || typeof self !== 'object') return null;
    try {
      return call<T>(get, self);
    } catch {
      return null;
    }
  }

  /** The absolute URL of a request if a source rule reads it, else null. */
  function target(input: unknown): string | null {
    const raw = typeof input === 'string' ? input : branded<string>(urlHref, input);
    if (raw === null) return null;
    const url = new NativeURL(raw, call<string>(baseURI, doc));
    return call(exec, SOURCE_PATH, [call(urlPath, url)]) === null ? null : call<string>(urlHref, url);
  }

  function emit(method: string, url: string, status: number, note: string, body: string | null): void {
    try {
      if (body !== null && body.length > BODY_CAP) {
        note = 'the body is ' + body.length + ' characters, over the ' + BODY_CAP + ' character capture cap';
        body = null;
      }
      // The init dictionary has no prototype: a getter the page put on Object.prototype is never read.
      const init: CustomEventInit<string> = {
        __proto__: null,
        detail: encodeEnvelope(method, url, status, note, body),
      } as CustomEventInit<string>;
      const event = new NativeCustomEvent(ENVELOPE_EVENT, init);
      call(dispatch, doc, [event]);
    } catch {
      // Never into the page.
    }
  }

  function cleanMethod(method: unknown): string {
    return typeof method === 'string' && method.length <= 10 && call(exec, /^[A-Za-z]+$/, [method]) !== null
      ? call<string>(upper, method)
      : 'GET';
  }

  // ---- XMLHttpRequest: patch open/send on the prototype; the constructor and instances stay native.
  const XHR = XMLHttpRequest.prototype;
  const nativeOpen = XHR.open;
  const nativeSend = XHR.send;
  const xhrReadyState = getter(XHR, 'readyState');
  const xhrStatus = getter(XHR, 'status');
  const xhrResponseType = getter(XHR, 'responseType');
  const xhrResponseText = getter(XHR, 'responseText');
  const xhrResponse = getter(XHR, 'response');
  const pending = new WeakMap<XMLHttpRequest, Pending | null>();

  function settle(xhr: XMLHttpRequest, p: Pending): void {
    try {
      call(unlisten, xhr, ['loadend', p.listener]);
      p.listener = null;
      const status = call<number>(xhrStatus, xhr);
      if (call<number>(xhrReadyState, xhr) !== 4 || status === 0) return; // aborted, timed out or failed
      const type = call<string>(xhrResponseType, xhr);
      if (type === '' || type === 'text') {
        emit(p.method, p.url, status, '', call<string>(xhrResponseText, xhr));
      } else if (type === 'json') {
        const value = call<unknown>(xhrResponse, xhr);
        if (value === null) emit(p.method, p.url, status, 'the body is not valid JSON', null);
        else emit(p.method, p.url, status, '', stringify(value));
      } else {
        emit(p.method, p.url, status, 'the page asked for the body as ' + type + ', which is not read', null);
      }
    } catch {
      // Never into the page.
    }
  }

  // ---- fetch: same promise semantics; for a matching URL the page gets the response one microtask
  // later, after we took a clone of it. Non-matching requests get the native promise itself.
  const nativeFetch = win.fetch;
  const requestUrl = getter(Request.prototype, 'url');
  const requestMethod = getter(Request.prototype, 'method');
  const responseStatus = getter(Response.prototype, 'status');
  const responseClone = Response.prototype.clone;
  const responseText = Response.prototype.text;

  function readResponse(response: Response, method: string, url: string): void {
    try {
      const status = call<number>(responseStatus, response);
      if (status === 0) return; // opaque: nothing to read
      const copy = call<Response>(responseClone, response);
      call(then, call(responseText, copy), [
        (body: string) => emit(method, url, status, '', body),
        () => emit(method, url, status, 'the body could not be read (the request was aborted or failed)', null),
      ]);
    } catch {
      // Never into the page.
    }
  }

  // The replacements are methods of an object literal, as the native ones are methods: they keep their
  // name through minification, have no `prototype` and are not constructors, so `fetch.name`,
  // `'prototype' in fetch` and `new fetch()` answer as without the extension.
  const patched = {
    open(this: XMLHttpRequest, _method: string, _url: string | URL) {
      // A page that reuses its XHR may call open() again from a load/readystatechange handler that
      // runs before our loadend listener: the finished response is still there, so read it now.
      try {
        const previous = call<Pending | null | undefined>(wmGet, pending, [this]);
        if (previous?.listener) settle(this, previous);
      } catch {
        // Never into the page.
      }
      // The native call with the page's own arguments: its errors are the page's errors.
      const result = apply(nativeOpen, this, arguments) as void;
      try {
        const url = target(_url);
        call(wmSet, pending, [this, url === null ? null : { method: cleanMethod(_method), url, listener: null }]);
      } catch {
        // Never into the page.
      }
      return result;
    },

    send(this: XMLHttpRequest) {
      try {
        const p = call<Pending | null | undefined>(wmGet, pending, [this]);
        if (p && !p.listener) {
          const listener = () => settle(this, p);
          p.listener = listener;
          call(listen, this, ['loadend', listener]);
        }
      } catch {
        // Never into the page.
      }
      return apply(nativeSend, this, arguments) as void;
    },

    fetch(this: unknown, input: RequestInfo | URL) {
      const promise = apply(nativeFetch, this, arguments) as Promise<Response>;
      let url: string | null = null;
      let method = 'GET';
      try {
        const init: unknown = arguments[1];
        const requested = branded<string>(requestUrl, input);
        if (requested !== null) {
          url = target(requested);
          method = call<string>(requestMethod, input);
        } else {
          url = target(input);
        }
        if (url !== null && init !== null && typeof init === 'object') {
          // The descriptor, not a [[Get]]: a getter of the page's init runs only when fetch reads it.
          const desc = getDesc(init, 'method');
          if (desc && call(hasOwn, desc, ['value'])) method = cleanMethod(desc.value);
        }
      } catch {
        url = null;
      }
      if (url === null) return promise;
      const matched = url;
      return call<Promise<Response>>(then, promise, [
        (response: Response) => {
          readResponse(response, method, matched);
          return response;
        },
      ]);
    },
  };

  XHR.open = patched.open;
  XHR.send = patched.send;
  win.fetch = patched.fetch as typeof fetch;
})();
