// The signing step of bench/pipeline.sh's peer chain, with sigstore-js (@sigstore/sign), code sigil
// did not write: for the image a tag of an OCI layout names, three in-toto statements signed with
// a local ECDSA P-256 key as DSSE envelopes in Sigstore bundles (no Fulcio, no Rekor):
//   the SBOM (predicate https://cyclonedx.org/bom), a provenance-like SLSA v1 predicate and a
//   cosign sign/v1 statement — what `sigil build --sbom cyclonedx --provenance min --sign-key`
//   signs. The bundles are written as files; attaching them to the layout is left out.
//
//   node attest.mjs KEY.pem LAYOUT TAG SBOM.json DOCKERFILE OUTDIR
//
// The packages are found in $SIGIL_NODE_TOOLS (default: <repo>/.tools/bench-pipeline).
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { createHash, createPrivateKey, createPublicKey, sign } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const tools = process.env.SIGIL_NODE_TOOLS || path.join(here, '..', '..', '.tools', 'bench-pipeline');
const require = createRequire(path.join(tools, 'package.json'));
const { DSSEBundleBuilder } = require('@sigstore/sign');
const { bundleToJSON } = require('@sigstore/bundle');

const [keyPath, layout, tag, sbomPath, dockerfile, outDir] = process.argv.slice(2);
if (!outDir) {
  console.error('usage: node attest.mjs KEY.pem LAYOUT TAG SBOM.json DOCKERFILE OUTDIR');
  process.exit(2);
}

const sha256 = (data) => createHash('sha256').update(data).digest('hex');
const index = JSON.parse(readFileSync(path.join(layout, 'index.json'), 'utf8'));
const manifest = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag);
if (!manifest) {
  console.error(`${layout}: no manifest tagged ${tag}`);
  process.exit(2);
}
const subject = [{ name: `oci:${layout}:${tag}`, digest: { sha256: manifest.digest.replace(/^sha256:/, '') } }];

// A Signer as @sigstore/sign defines it (sign(data) → {signature, key}): ECDSA P-256 over SHA-256,
// DER signature, public-key hint like cosign's (sha256 of the DER SubjectPublicKeyInfo).
const privateKey = createPrivateKey(readFileSync(keyPath));
const publicDer = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
const signer = {
  sign: async (data) => ({
    signature: sign('sha256', data, privateKey),
    key: { $case: 'publicKey', publicKey: publicDer.toString('base64'), hint: sha256(publicDer) },
  }),
};
const builder = new DSSEBundleBuilder({ signer, witnesses: [] });

const dockerfileBytes = readFileSync(dockerfile);
const statements = {
  sbom: { predicateType: 'https://cyclonedx.org/bom', predicate: JSON.parse(readFileSync(sbomPath, 'utf8')) },
  provenance: {
    predicateType: 'https://slsa.dev/provenance/v1',
    predicate: {
      buildDefinition: {
        buildType: 'https://github.com/containers/buildah',
        externalParameters: { dockerfile: path.basename(dockerfile), context: path.dirname(dockerfile) },
        resolvedDependencies: [{ uri: `file:${dockerfile}`, digest: { sha256: sha256(dockerfileBytes) } }],
      },
      runDetails: { builder: { id: 'https://example.invalid/bench-pipeline' }, metadata: { startedOn: new Date().toISOString() } },
    },
  },
  sign: { predicateType: 'https://sigstore.dev/cosign/sign/v1', predicate: {} },
};

for (const [name, s] of Object.entries(statements)) {
  const statement = { _type: 'https://in-toto.io/Statement/v1', subject, ...s };
  const bundle = await builder.create({
    data: Buffer.from(JSON.stringify(statement)),
    type: 'application/vnd.in-toto+json',
  });
  writeFileSync(path.join(outDir, `${name}.sigstore.json`), JSON.stringify(bundleToJSON(bundle)));
}
