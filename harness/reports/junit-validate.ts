// A small, strict reader for the JUnit files the reports contain: checks that a file is
// well-formed XML and has JUnit's shape (testsuites/testsuite/testcase, counts that add up).
// Written here because the suite has no XML dependency; it reads only what JUnit files use.

export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  text: string;
}

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(raw: string, at: number): string {
  return raw.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);|&/g, (whole, entity: string | undefined) => {
    if (!entity) throw new Error(`bare '&' near offset ${at}`);
    if (entity.startsWith('#x')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(parseInt(entity.slice(1), 10));
    const value = ENTITIES[entity];
    if (value === undefined) throw new Error(`unknown entity ${whole} near offset ${at}`);
    return value;
  });
}

const NAME = /^[A-Za-z_:][\w.:-]*/;
const ATTRIBUTE = /^\s+([A-Za-z_:][\w.:-]*)\s*=\s*("([^"<]*)"|'([^'<]*)')/;

/** Parses a whole document; throws with an offset on anything that is not well-formed. */
export function parseXml(source: string): XmlElement {
  let i = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const skipMisc = (): void => {
    for (;;) {
      const rest = source.slice(i);
      const ws = /^\s+/.exec(rest);
      if (ws) { i += ws[0].length; continue; }
      if (rest.startsWith('<?')) { const end = source.indexOf('?>', i); if (end < 0) throw new Error('unterminated <?'); i = end + 2; continue; }
      if (rest.startsWith('<!--')) { const end = source.indexOf('-->', i); if (end < 0) throw new Error('unterminated comment'); i = end + 3; continue; }
      return;
    }
  };
  skipMisc();
  while (i < source.length) {
    if (root && stack.length === 0) {
      skipMisc();
      if (i < source.length) throw new Error(`content after the root element at offset ${i}`);
      break;
    }
    if (source.startsWith('<!--', i)) { const end = source.indexOf('-->', i); if (end < 0) throw new Error('unterminated comment'); i = end + 3; continue; }
    if (source.startsWith('<![CDATA[', i)) {
      const end = source.indexOf(']]>', i);
      if (end < 0 || stack.length === 0) throw new Error(`bad CDATA at offset ${i}`);
      (stack[stack.length - 1] as XmlElement).text += source.slice(i + 9, end);
      i = end + 3;
      continue;
    }
    if (source.startsWith('</', i)) {
      const match = /^<\/([A-Za-z_:][\w.:-]*)\s*>/.exec(source.slice(i));
      const open = stack.pop();
      if (!match || !open || open.name !== match[1]) throw new Error(`mismatched end tag at offset ${i}`);
      i += match[0].length;
      continue;
    }
    if (source[i] === '<') {
      const name = NAME.exec(source.slice(i + 1))?.[0];
      if (!name) throw new Error(`bad tag at offset ${i}`);
      i += 1 + name.length;
      const attributes: Record<string, string> = {};
      for (;;) {
        const match = ATTRIBUTE.exec(source.slice(i));
        if (!match) break;
        const key = match[1] as string;
        if (key in attributes) throw new Error(`duplicate attribute ${key} at offset ${i}`);
        attributes[key] = decode(match[3] ?? match[4] ?? '', i);
        i += match[0].length;
      }
      const close = /^\s*(\/?)>/.exec(source.slice(i));
      if (!close) throw new Error(`bad tag <${name}> at offset ${i}`);
      i += close[0].length;
      const element: XmlElement = { name, attributes, children: [], text: '' };
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(element);
      else if (root) throw new Error('two root elements');
      else root = element;
      if (!close[1]) stack.push(element);
      continue;
    }
    const next = source.indexOf('<', i);
    const end = next < 0 ? source.length : next;
    const parent = stack[stack.length - 1];
    if (!parent) throw new Error(`text outside the root element at offset ${i}`);
    parent.text += decode(source.slice(i, end), i);
    i = end;
  }
  if (!root || stack.length > 0) throw new Error('document ended inside an element');
  return root;
}

export interface JunitSummary {
  readonly suites: number;
  readonly tests: number;
  readonly failures: number;
  readonly skipped: number;
  readonly testcaseNames: readonly string[];
}

function count(element: XmlElement, attribute: string, actual: number, problems: string[]): void {
  const declared = element.attributes[attribute];
  if (declared !== undefined && Number(declared) !== actual) {
    problems.push(`<${element.name} name="${element.attributes['name'] ?? ''}"> says ${attribute}=${declared}, has ${actual}`);
  }
}

/** Checks JUnit structure; returns a summary or throws listing every problem found. */
export function validateJunit(source: string): JunitSummary {
  const root = parseXml(source);
  const problems: string[] = [];
  if (root.name !== 'testsuites' && root.name !== 'testsuite') throw new Error(`root element is <${root.name}>, not <testsuites> or <testsuite>`);
  const suites = root.name === 'testsuite' ? [root] : root.children.filter((c) => c.name === 'testsuite');
  for (const other of root.name === 'testsuites' ? root.children.filter((c) => c.name !== 'testsuite') : []) {
    problems.push(`unexpected <${other.name}> inside <testsuites>`);
  }
  const names: string[] = [];
  let tests = 0, failures = 0, skipped = 0;
  for (const suite of suites) {
    if (!suite.attributes['name']) problems.push('a <testsuite> has no name');
    const cases = suite.children.filter((c) => c.name === 'testcase');
    let suiteFailures = 0, suiteSkipped = 0;
    for (const testcase of cases) {
      const name = testcase.attributes['name'];
      if (!name) problems.push(`a <testcase> in "${suite.attributes['name'] ?? ''}" has no name`);
      else names.push(name);
      const time = testcase.attributes['time'];
      if (time !== undefined && !(Number(time) >= 0)) problems.push(`testcase "${name ?? ''}" has time="${time}"`);
      if (testcase.children.some((c) => c.name === 'failure' || c.name === 'error')) suiteFailures += 1;
      if (testcase.children.some((c) => c.name === 'skipped')) suiteSkipped += 1;
    }
    count(suite, 'tests', cases.length, problems);
    count(suite, 'failures', suiteFailures, problems);
    count(suite, 'skipped', suiteSkipped, problems);
    tests += cases.length; failures += suiteFailures; skipped += suiteSkipped;
  }
  if (root.name === 'testsuites') {
    count(root, 'tests', tests, problems);
    count(root, 'failures', failures, problems);
  }
  if (problems.length > 0) throw new Error(`not valid JUnit: ${problems.join('; ')}`);
  return { suites: suites.length, tests, failures, skipped, testcaseNames: names };
}
