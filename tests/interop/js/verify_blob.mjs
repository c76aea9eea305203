// Verifies Sigstore bundles of blobs with a public key using sigstore-js (@sigstore/verify), code
// sigil did not write. Used by tests/interop/sigstore_js_test.cpp and bench/verify.sh.
//
//   node verify_blob.mjs KEY.pub ARTIFACT BUNDLE [ARTIFACT BUNDLE ...]
//
// Exit 0 when every bundle verifies, 1 when one does not (its reason on stderr), 2 on bad usage.
// The packages are found in $SIGIL_NODE_TOOLS (default: <repo>/.tools/sigstore-js), where
// scripts/bootstrap --test installs them from this folder's package-lock.json.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { createPublicKey, createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const tools = process.env.SIGIL_NODE_TOOLS || path.join(here, '..', '..', '..', '.tools', 'sigstore-js');
const require = createRequire(path.join(tools, 'package.json'));
const { bundleFromJSON } = require('@sigstore/bundle');
const { Verifier, toSignedEntity, toTrustMaterial } = require('@sigstore/verify');

const [keyPath, ...pairs] = process.argv.slice(2);
if (!keyPath || pairs.length === 0 || pairs.length % 2 !== 0) {
  console.error('usage: node verify_blob.mjs KEY.pub ARTIFACT BUNDLE [ARTIFACT BUNDLE ...]');
  process.exit(2);
}

// Key-only trust: an empty trusted root (no CAs, logs or TSAs) and the one key, found whatever hint
// the bundle carries (as cosign --key does).
const publicKey = createPublicKey(readFileSync(keyPath));
const emptyRoot = { certificateAuthorities: [], timestampAuthorities: [], tlogs: [], ctlogs: [] };
const trust = toTrustMaterial(emptyRoot, () => ({ publicKey, validFor: () => true }));
const verifier = new Verifier(trust, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 });

for (let i = 0; i < pairs.length; i += 2) {
  const [artifactPath, bundlePath] = [pairs[i], pairs[i + 1]];
  try {
    const bundle = bundleFromJSON(JSON.parse(readFileSync(bundlePath, 'utf8')));
    const artifact = readFileSync(artifactPath);
    verifier.verify(toSignedEntity(bundle, artifact));
  } catch (e) {
    console.error(`${bundlePath}: ${e.code ? e.code + ': ' : ''}${e.message}`);
    process.exit(1);
  }
}
console.log(`verified ${pairs.length / 2} bundle(s); sha256 of key ${createHash('sha256')
  .update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16)}`);
