// Verifies keyless Sigstore bundles with sigstore-js (@sigstore/verify), code sigil did not write,
// against a given trusted_root.json (e.g. the local Sigstore's): certificate chain to its Fulcio
// CA, SCT, Rekor entry (SET, inclusion proof, checkpoint), timestamps, signature, identity.
// Used by tests/interop/keyless_mock_test.cpp.
//
//   node verify_keyless.mjs TRUSTED_ROOT IDENTITY ISSUER ARTIFACT BUNDLE [ARTIFACT BUNDLE ...]
//
// ARTIFACT "-" verifies a DSSE bundle on its own (in-toto statements carry their subject). Exit 0
// when every bundle verifies (one line per bundle on stdout: its tlog kind and timestamp count), 1
// when one does not (its reason on stderr), 2 on bad usage.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const tools = process.env.SIGIL_NODE_TOOLS || path.join(here, '..', '..', '..', '.tools', 'sigstore-js');
const require = createRequire(path.join(tools, 'package.json'));
const { bundleFromJSON } = require('@sigstore/bundle');
const { TrustedRoot } = require('@sigstore/protobuf-specs');
const { Verifier, toSignedEntity, toTrustMaterial } = require('@sigstore/verify');

const [rootPath, identity, issuer, ...pairs] = process.argv.slice(2);
if (!rootPath || !identity || !issuer || pairs.length === 0 || pairs.length % 2 !== 0) {
  console.error('usage: node verify_keyless.mjs TRUSTED_ROOT IDENTITY ISSUER ARTIFACT BUNDLE [ARTIFACT BUNDLE ...]');
  process.exit(2);
}

const trust = toTrustMaterial(TrustedRoot.fromJSON(JSON.parse(readFileSync(rootPath, 'utf8'))));
const verifier = new Verifier(trust, { tlogThreshold: 1, ctlogThreshold: 1, timestampThreshold: 1 });
const policy = { subjectAlternativeName: identity, extensions: { issuer } };

for (let i = 0; i < pairs.length; i += 2) {
  const [artifactPath, bundlePath] = [pairs[i], pairs[i + 1]];
  try {
    const json = JSON.parse(readFileSync(bundlePath, 'utf8'));
    const bundle = bundleFromJSON(json);
    const artifact = artifactPath === '-' ? undefined : readFileSync(artifactPath);
    verifier.verify(toSignedEntity(bundle, artifact), policy);
    const entries = json.verificationMaterial.tlogEntries || [];
    const timestamps = json.verificationMaterial.timestampVerificationData?.rfc3161Timestamps || [];
    console.log(`${bundlePath}: verified (${entries.map((e) => e.kindVersion.kind).join(',')}, ` +
      `${timestamps.length} RFC 3161 timestamp(s))`);
  } catch (e) {
    console.error(`${bundlePath}: ${e.code ? e.code + ': ' : ''}${e.message}`);
    process.exit(1);
  }
}
