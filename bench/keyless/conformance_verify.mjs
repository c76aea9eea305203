// The peer of bench/keyless.sh: the Sigstore conformance cases verified by sigstore-js
// (@sigstore/verify), code sigil did not write, in one node process, R rounds; prints the verdicts
// it got right and the wall time of the fastest round, as sigil-bench-keyless does.
// sigstore-js verifies artifacts, not bare digests, so each case runs twice on its artifact to
// match sigil's 140 verifications (artifact + digest). Each distinct trusted root is parsed once
// per round and shared, as sigil-bench-keyless does.
//
//   node conformance_verify.mjs CONFORMANCE_DIR DEFAULT_TRUSTED_ROOT [ROUNDS]
import { createRequire } from 'node:module';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createPublicKey } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const tools = process.env.SIGIL_NODE_TOOLS || path.join(here, '..', '..', '.tools', 'sigstore-js');
const require = createRequire(path.join(tools, 'package.json'));
const { bundleFromJSON } = require('@sigstore/bundle');
const { TrustedRoot } = require('@sigstore/protobuf-specs');
const { Verifier, toSignedEntity, toTrustMaterial } = require('@sigstore/verify');

const [dir, defaultRootPath, roundsArg] = process.argv.slice(2);
if (!dir || !defaultRootPath) {
  console.error('usage: node conformance_verify.mjs CONFORMANCE_DIR DEFAULT_TRUSTED_ROOT [ROUNDS]');
  process.exit(2);
}
const rounds = Number(roundsArg || 5);
const identity0 = 'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
const issuer0 = 'https://token.actions.githubusercontent.com';
const read = (p) => readFileSync(p, 'utf8').trim();

const cases = readdirSync(dir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(path.join(dir, d.name, 'bundle.sigstore.json')))
  .map((d) => {
    const c = path.join(dir, d.name);
    const at = (f) => path.join(c, f);
    return {
      name: d.name,
      shouldFail: d.name.endsWith('_fail'),
      bundle: readFileSync(at('bundle.sigstore.json'), 'utf8'),
      root: readFileSync(existsSync(at('trusted_root.json')) ? at('trusted_root.json') : defaultRootPath, 'utf8'),
      key: existsSync(at('key.pub')) ? readFileSync(at('key.pub')) : null,
      artifact: readFileSync(existsSync(at('artifact')) ? at('artifact') : path.join(dir, 'a.txt')),
      identity: existsSync(at('identity')) ? read(at('identity')) : identity0,
      issuer: existsSync(at('issuer')) ? read(at('issuer')) : issuer0,
    };
  });

function verifies(c, roots) {
  try {
    if (!roots.has(c.root)) roots.set(c.root, TrustedRoot.fromJSON(JSON.parse(c.root)));
    const root = roots.get(c.root);
    const publicKey = c.key ? createPublicKey(c.key) : null;
    const trust = toTrustMaterial(root, () => {
      if (!publicKey) throw new Error('no key');
      return { publicKey, validFor: () => true };
    });
    const verifier = new Verifier(trust, c.key ? { ctlogThreshold: 0 } : {});
    const bundle = bundleFromJSON(JSON.parse(c.bundle));
    const policy = c.key ? undefined : { subjectAlternativeName: c.identity, extensions: { issuer: c.issuer } };
    verifier.verify(toSignedEntity(bundle, c.artifact), policy);
    return true;
  } catch {
    return false;
  }
}

let best = Infinity;
let right = 0;
let total = 0;
for (let r = 0; r < rounds; r++) {
  right = 0;
  total = 0;
  const start = process.hrtime.bigint();
  const roots = new Map();
  for (const c of cases) {
    for (let i = 0; i < 2; i++) {
      total++;
      if (verifies(c, roots) !== c.shouldFail) right++;
      else if (r === 0 && i === 0) console.error(`wrong verdict: ${c.name}`);
    }
  }
  best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e9);
}
console.log(`verdicts_right ${right} of ${total}\nseconds ${best.toFixed(4)}`);
