/**
 * The only globals shared/ may use: those that Node and every browser both have (WHATWG
 * Encoding, base64 and Web Crypto's random values). tsconfig.shared.json compiles shared/ with
 * these and nothing else, so a Node API (Buffer, process) or a DOM one (document, window) there
 * is a compile error.
 */
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  decode(input?: ArrayBufferView | ArrayBuffer, options?: { stream?: boolean }): string;
}
declare function atob(data: string): string;
declare function btoa(data: string): string;
// eslint-disable-next-line no-var -- only a var declaration is a property of globalThis
declare var crypto: { getRandomValues<T extends ArrayBufferView>(array: T): T };
