// Escaping for the XML and HTML the reports write. Control characters that XML 1.0 forbids (peer
// logs and wire text can carry them) are replaced, so every report stays well-formed.
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly the characters to find
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

// Most values (axis names, case ids, numbers) need no escaping: one test skips the replaces.
// biome-ignore lint/suspicious/noControlCharactersInRegex: as above
const NEEDS_TEXT_ESCAPE = /[&<>\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: as above
const NEEDS_ATTRIBUTE_ESCAPE = /[&<>"\n\r\t\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

export function escapeText(value: string): string {
  if (!NEEDS_TEXT_ESCAPE.test(value)) return value;
  return value.replace(FORBIDDEN, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function escapeAttribute(value: string): string {
  if (!NEEDS_ATTRIBUTE_ESCAPE.test(value)) return value;
  return escapeText(value).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}

export function attributes(values: Readonly<Record<string, string | number | undefined>>): string {
  return Object.entries(values)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeAttribute(String(v))}"`)
    .join('');
}
