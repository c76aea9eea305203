// Signs keyless with sigstore-js (@sigstore/sign), code sigil did not write, against a local
// Sigstore (tests/interop/js/sigstore_mock_server.mjs): the fixtures of sigil's keyless
// verification tests. Fulcio and Rekor are both at BASE.
//
//   node sigstore_sign.mjs BASE TOKEN (dsse PAYLOAD_TYPE | message) IN OUT [--tsa URL]
//
// dsse: signs the bytes of IN as a DSSE payload of PAYLOAD_TYPE (Rekor "dsse" entry); message:
// signs IN as a blob (Rekor "hashedrekord" entry). OUT receives the bundle v0.3 JSON. With --tsa,
// an RFC 3161 timestamp is added. Exit 0 on success, 1 with the reason on stderr, 2 on bad usage.
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const tools = process.env.SIGIL_NODE_TOOLS || path.join(here, '..', '..', '..', '.tools', 'sigstore-js');
const require = createRequire(path.join(tools, 'package.json'));
const sign = require('@sigstore/sign');
const { bundleToJSON } = require('@sigstore/bundle');

const args = process.argv.slice(2);
const usage = () => {
  console.error('usage: node sigstore_sign.mjs BASE TOKEN (dsse PAYLOAD_TYPE | message) IN OUT [--tsa URL]');
  process.exit(2);
};
const [base, token, mode] = args;
if (!base || !token || !['dsse', 'message'].includes(mode)) usage();
const rest = args.slice(mode === 'dsse' ? 4 : 3);
const payloadType = mode === 'dsse' ? args[3] : undefined;
const [input, output] = rest;
if (!input || !output) usage();
const tsa = rest[2] === '--tsa' ? rest[3] : undefined;

try {
  const signer = new sign.FulcioSigner({
    fulcioBaseURL: base,
    identityProvider: { getToken: async () => token },
  });
  const witnesses = [new sign.RekorWitness({ rekorBaseURL: base, entryType: 'dsse' })];
  if (tsa) witnesses.push(new sign.TSAWitness({ tsaBaseURL: tsa.replace(/\/api\/v1\/timestamp$/, '') }));
  const Builder = mode === 'dsse' ? sign.DSSEBundleBuilder : sign.MessageSignatureBundleBuilder;
  const builder = new Builder({ signer, witnesses });
  const bundle = await builder.create({ data: readFileSync(input), type: payloadType });
  writeFileSync(output, JSON.stringify(bundleToJSON(bundle)) + '\n');
} catch (e) {
  console.error(`sigstore_sign: ${e.message}`);
  process.exit(1);
}
