import { en, type MessageKey } from './en.js';

const catalogs: Record<string, Record<MessageKey, string>> = { en };

/** The language of the page; only English ships today, others fall back to it. */
const lang = (typeof navigator !== 'undefined' ? navigator.language.slice(0, 2) : 'en') as string;
const messages: Record<MessageKey, string> = catalogs[lang] ?? en;

/** Look up a message and fill in `{name}` placeholders. */
export function t(key: MessageKey, vars: Record<string, string | number> = {}): string {
  return messages[key].replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? `{${k}}`));
}
