// Type-checks dashboard JSON files against Grafana's dashboard schema (types.ts) with TypeScript.
//
//   node check.mjs FILE.json...      (dashboards/test.sh installs the packages first: npm ci)
//
// Each file becomes build/<name>.ts, `export const dashboard = <the JSON> satisfies DashboardJson`,
// line for line, so that TypeScript's excess-property and type errors point at the JSON's own line
// and column. Prints `schema: <file>: ok` or the errors, and exits 1 when any file fails.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const build = join(here, 'build');
const files = process.argv.slice(2).map((f) => resolve(f));
if (files.length === 0) {
  console.error('usage: node check.mjs FILE.json...');
  process.exit(2);
}
rmSync(build, { recursive: true, force: true });
mkdirSync(build);
const sources = new Map();
for (const file of files) {
  const text = readFileSync(file, 'utf8').trimEnd();
  JSON.parse(text); // a file that is not JSON fails here, with JSON's own message
  const name = basename(file, '.json').replace(/[^A-Za-z0-9_-]/g, '_') + '.ts';
  // The import comes last so that line N of the .ts file is line N of the JSON file.
  writeFileSync(join(build, name),
    `export const dashboard = ${text} satisfies DashboardJson;\nimport type { DashboardJson } from '../types.js';\n`);
  sources.set(name, file);
}
let output = '';
let failed = false;
try {
  execFileSync(process.execPath, [join(here, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', here],
    { cwd: here, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
} catch (e) {
  failed = true;
  output = (e.stdout || '') + (e.stderr || '');
}
const bad = new Set();
for (const line of output.split('\n')) {
  const m = line.match(/^build\/([^(]+)\((\d+),(\d+)\): (.*)$/);
  if (m && sources.has(m[1])) {
    bad.add(m[1]);
    console.log(`schema: ${relative(process.cwd(), sources.get(m[1]))}:${m[2]}:${m[3]}: ${m[4]}`);
  } else if (line.trim()) {
    console.log(`schema: ${line}`);
  }
}
for (const [name, file] of sources) {
  if (!bad.has(name) && !failed) console.log(`schema: ${relative(process.cwd(), file)}: ok`);
}
process.exit(failed ? 1 : 0);
