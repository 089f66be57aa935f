// Case and axis globs: '*' matches any run of characters, everything else matches itself.
// Compiled once per glob: known-failure matching tests every entry's globs against every case.
const compiled = new Map<string, RegExp>();

export function globRegExp(glob: string): RegExp {
  let regExp = compiled.get(glob);
  if (regExp === undefined) {
    regExp = new RegExp(`^${glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
    compiled.set(glob, regExp);
  }
  return regExp;
}
