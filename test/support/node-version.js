/**
 * The project runs on the Node.js of its Lambda functions (nodejs24.x), declared once in package.json `engines`.
 * `npm ci` installs that Node.js into node_modules (the npm package `node`) and npm scripts and npx run on it; a
 * tool started another way (a global jest, `node_modules/.bin/jest` from a shell) would run on the machine's own
 * Node.js and fail in confusing ways. jest.config.js calls this first, so such a run stops at once and says why.
 */
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

/** The lowest version package.json `engines.node` allows, as [major, minor]; only the `>=X.Y` form is used here. */
function requiredNode() {
  const engines = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')).engines ?? {};
  const match = /^>=\s*(\d+)\.(\d+)/.exec(engines.node ?? '');
  if (!match) throw new Error(`package.json engines.node must read ">=<major>.<minor>", got ${JSON.stringify(engines.node)}`);
  return [Number(match[1]), Number(match[2])];
}

/** Why `version` (like process.versions.node) cannot run the project, or undefined when it can. */
function unsupportedNodeReason(version, required = requiredNode()) {
  const [major, minor] = version.split('.').map(Number);
  if (major > required[0] || (major === required[0] && minor >= required[1])) return undefined;
  return (
    `model-hub-sync needs Node.js >= ${required.join('.')} (the Lambda runtime's), but this is Node.js ${version} ` +
    `(${process.execPath}).\nnext: run it through npm, which uses the Node.js that \`npm ci\` installed into ` +
    'node_modules: `npm test`, `npm run test:unit`, `npx jest <file>`; or install Node.js 24 (`nvm use` reads .nvmrc).'
  );
}

/** Throws with the reason and the next step when the running Node.js is too old. */
function assertSupportedNode() {
  const reason = unsupportedNodeReason(process.versions.node);
  if (reason) throw new Error(reason);
}

module.exports = { requiredNode, unsupportedNodeReason, assertSupportedNode };
