// A local Sigstore for tests: the handlers of @sigstore/mock (Fulcio POST /api/v2/signingCert,
// Rekor POST /api/v1/log/entries, TSA POST /api/v1/timestamp), code sigil did not write, served by a
// plain node HTTP server on 127.0.0.1 on a free port. Used by tests/support/sigstore_mock.cpp.
//
//   node sigstore_mock_server.mjs --trusted-root FILE [--signing-config FILE]
//                                 [--fulcio-clock-offset SECONDS] [--fulcio-no-sct]
//
// For failure tests, Fulcio can misbehave: --fulcio-clock-offset issues certificates as if its
// clock were SECONDS off (negative: certificates that expired before Rekor logs their use), and
// --fulcio-no-sct issues them without the embedded SCT (its CA gets no CT log). The trusted root
// is the same either way.
//
// Prints one line "port N" on stdout once it listens, then serves until stdin closes or SIGTERM.
// FILE receives the trusted_root.json of this instance (Fulcio CA, Rekor log key, CT log key, TSA
// chain, all generated at start), and --signing-config a signing_config.json (v0.2) naming it.
//
// The mock's TSA takes a JSON request; real timestamp authorities speak RFC 3161. This server
// accepts a DER TimeStampReq (application/timestamp-query), translates it for the mock (hash,
// algorithm, nonce, certReq, policy) and answers the mock's DER TimeStampResp as
// application/timestamp-reply. JSON requests (what @sigstore/sign sends) pass through unchanged.
//
// Rekor dsse v0.0.1 proposals are logged in Rekor's canonical form (the mock would log them as
// proposed, which no verifier accepts).
//
// The mock decodes the OIDC token without checking any signature: any JWS-shaped token with a JSON
// payload works. The certificate's SAN is the token's `sub` (or `email` with
// SIGIL_MOCK_SUBJECT_CLAIM=email) and its issuer extensions carry `iss`.
import { createRequire } from 'node:module';
import { writeFileSync, renameSync } from 'node:fs';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import http from 'node:http';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const tools = process.env.SIGIL_NODE_TOOLS || path.join(here, '..', '..', '..', '.tools', 'sigstore-js');
const require = createRequire(path.join(tools, 'package.json'));
const mock = require('@sigstore/mock');
const asn1js = require('asn1js');
const pkijs = require('pkijs');

function usage(message) {
  console.error(`sigstore_mock_server: ${message}\nusage: node sigstore_mock_server.mjs --trusted-root FILE ` +
    '[--signing-config FILE] [--fulcio-clock-offset SECONDS] [--fulcio-no-sct]');
  process.exit(2);
}

const args = process.argv.slice(2);
const options = {};
for (let i = 0; i < args.length; i += 2) {
  if (args[i] === '--fulcio-no-sct') {
    options['fulcio-no-sct'] = true;
    i -= 1;
    continue;
  }
  if (!['--trusted-root', '--signing-config', '--fulcio-clock-offset'].includes(args[i]) || args[i + 1] === undefined) {
    usage(`bad argument ${args[i]}`);
  }
  options[args[i].slice(2)] = args[i + 1];
}
if (!options['trusted-root']) usage('--trusted-root is required');
const fulcioClockOffset = Number(options['fulcio-clock-offset'] ?? 0);
if (!Number.isInteger(fulcioClockOffset)) usage('--fulcio-clock-offset takes whole seconds');

// RFC 3161 nonces are up to 64 bits or more; the mock builds the TSTInfo nonce with
// new asn1js.Integer({ value }), which only takes JS numbers. Let it take a BigInt too, encoded as
// a DER two's-complement INTEGER, so the reply echoes the client's nonce exactly.
const OriginalInteger = asn1js.Integer;
function bigintBytes(value) {
  let hex = value.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  if (parseInt(hex.slice(0, 2), 16) & 0x80) hex = '00' + hex;
  return Buffer.from(hex, 'hex');
}
class NonceInteger extends OriginalInteger {
  constructor(parameters = {}) {
    if (typeof parameters.value === 'bigint') {
      const { value, ...rest } = parameters;
      super({ ...rest, valueHex: bigintBytes(value) });
    } else {
      super(parameters);
    }
  }
}
asn1js.Integer = NonceInteger;

const OID_HASHES = {
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

// DER TimeStampReq → the mock's JSON request. Throws on malformed input (answered with 400).
function timestampQueryToJSON(der) {
  const parsed = asn1js.fromBER(new Uint8Array(der).buffer);
  if (parsed.offset === -1) throw new Error('timestamp request is not DER');
  const request = new pkijs.TimeStampReq({ schema: parsed.result });
  const algorithm = OID_HASHES[request.messageImprint.hashAlgorithm.algorithmId];
  if (!algorithm) throw new Error(`unsupported hash algorithm ${request.messageImprint.hashAlgorithm.algorithmId}`);
  const json = {
    artifactHash: Buffer.from(request.messageImprint.hashedMessage.valueBlock.valueHexView).toString('base64'),
    hashAlgorithm: algorithm,
    certificates: request.certReq ?? false,
  };
  if (request.nonce) json.nonce = BigInt('0x' + (Buffer.from(request.nonce.valueBlock.valueHexView).toString('hex') || '0'));
  if (request.reqPolicy) json.tsaPolicyOID = request.reqPolicy;
  return json;
}

// The mock logs a proposed entry verbatim; real Rekor logs its canonical form, which verifiers
// compare with the bundle. For dsse v0.0.1 that is {envelopeHash, payloadHash, signatures[{signature,
// verifier}]} (the proposed envelope and verifiers are not kept), so translate before logging.
// hashedrekord's canonical form is what clients propose. Anything unparsable passes unchanged, for
// the mock to refuse.
function canonicalizeProposedEntry(text) {
  let entry;
  try {
    entry = JSON.parse(text);
  } catch {
    return text;
  }
  const proposed = entry?.spec?.proposedContent;
  if (entry?.kind !== 'dsse' || entry?.apiVersion !== '0.0.1' || !proposed) return text;
  const envelope = JSON.parse(proposed.envelope);
  const verifiers = proposed.verifiers || [];
  if (!Array.isArray(envelope.signatures) || envelope.signatures.length !== verifiers.length) {
    throw new Error('dsse: every signature needs one verifier');
  }
  const sha256 = (bytes) => ({ algorithm: 'sha256', value: createHash('sha256').update(bytes).digest('hex') });
  return JSON.stringify({
    apiVersion: '0.0.1',
    kind: 'dsse',
    spec: {
      envelopeHash: sha256(Buffer.from(proposed.envelope, 'utf8')),
      payloadHash: sha256(Buffer.from(envelope.payload, 'base64')),
      signatures: envelope.signatures.map((signature, i) => ({ signature: signature.sig, verifier: verifiers[i] })),
    },
  });
}

function readBody(request) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    request.on('data', (chunk) => {
      size += chunk.length;
      if (size > 4 * 1024 * 1024) reject(new Error('request body too large'));
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

const routes = new Map();
const server = http.createServer(async (request, response) => {
  const route = routes.get(request.url.split('?')[0]);
  if (request.method !== 'POST' || !route) {
    response.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
    return;
  }
  try {
    const body = await readBody(request);
    const result = await route(body, request.headers['content-type'] || '');
    response.writeHead(result.statusCode, { 'Content-Type': result.contentType || 'text/plain' });
    response.end(typeof result.response === 'string' ? result.response : Buffer.from(result.response.buffer,
      result.response.byteOffset, result.response.byteLength));
  } catch (e) {
    response.writeHead(400, { 'Content-Type': 'text/plain' }).end(`${e.message}\n`);
  }
});

server.listen(0, '127.0.0.1', async () => {
  const port = server.address().port;
  const base = `http://127.0.0.1:${port}`;
  const keys = () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const ctlog = await mock.initializeCTLog(keys());
  const ca = await mock.initializeCA(keys(), options['fulcio-no-sct'] ? undefined : ctlog);
  // The CA reads its clock through getCurrentTime (notBefore = now, notAfter = now + 10 min).
  if (fulcioClockOffset !== 0) ca.getCurrentTime = () => new Date(Date.now() + fulcioClockOffset * 1000);
  const tlogKeys = keys();
  const tlog = await mock.initializeTLog(base, tlogKeys);
  const tsa = await mock.initializeTSA(keys());
  // genTime in whole seconds: DER drops trailing zeros of fractional seconds (".5Z"), and
  // @sigstore/core's time parser accepts only three digits, so 1 stamp in 10 would be refused
  // by the peer for a reason that has nothing to do with sigil.
  tsa.getCurrentTime = () => new Date(Math.floor(Date.now() / 1000) * 1000);

  const fulcio = mock.fulcioHandler(ca, { strict: true, subjectClaim: process.env.SIGIL_MOCK_SUBJECT_CLAIM || 'sub' });
  const rekor = mock.rekorHandler(tlog, { strict: true });
  const timestamp = mock.tsaHandler(tsa, { strict: true });
  routes.set(fulcio.path, (body) => fulcio.fn(body.toString('utf8')));
  routes.set(rekor.path, (body) => rekor.fn(canonicalizeProposedEntry(body.toString('utf8'))));
  routes.set(timestamp.path, async (body, contentType) => {
    if (contentType.startsWith('application/json')) return timestamp.fn(body.toString('utf8'));
    if (!contentType.startsWith('application/timestamp-query')) {
      return { statusCode: 415, response: `unsupported content type ${contentType}\n` };
    }
    // The mock's handler parses JSON; a BigInt nonce cannot travel through JSON, so the translated
    // request goes to the same TSA the handler wraps.
    const json = timestampQueryToJSON(body);
    const reply = await tsa.timestamp({
      artifactHash: Buffer.from(json.artifactHash, 'base64'),
      hashAlgorithmOID: Object.keys(OID_HASHES).find((oid) => OID_HASHES[oid] === json.hashAlgorithm),
      nonce: json.nonce ?? 0n,
      policyOID: json.tsaPolicyOID || '1.3.6.1.4.1.57264.2',
      certReq: json.certificates,
    });
    return { statusCode: 200, response: reply, contentType: 'application/timestamp-reply' };
  });

  const b64 = (bytes) => Buffer.from(bytes.buffer ?? bytes, bytes.byteOffset ?? 0, bytes.byteLength).toString('base64');
  const start = new Date(Date.now() - 3600 * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  const tlogKey = tlogKeys.publicKey.export({ format: 'der', type: 'spki' });
  const trustedRoot = {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [{
      baseUrl: base,
      hashAlgorithm: 'SHA2_256',
      publicKey: { rawBytes: tlogKey.toString('base64'), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: { start } },
      logId: { keyId: createHash('sha256').update(tlogKey).digest('base64') },
    }],
    certificateAuthorities: [{
      subject: { organization: 'sigstore.mock', commonName: 'sigstore' },
      uri: base,
      certChain: { certificates: [{ rawBytes: b64(ca.rootCertificate) }] },
      validFor: { start },
    }],
    ctlogs: [{
      baseUrl: base,
      hashAlgorithm: 'SHA2_256',
      publicKey: { rawBytes: b64(ctlog.publicKey), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: { start } },
      logId: { keyId: b64(ctlog.logID) },
    }],
    timestampAuthorities: [{
      subject: { organization: 'sigstore.mock', commonName: 'tsa' },
      uri: `${base}/api/v1/timestamp`,
      certChain: { certificates: [{ rawBytes: b64(tsa.intCertificate) }, { rawBytes: b64(tsa.rootCertificate) }] },
      validFor: { start },
    }],
  };
  const service = (url) => ({ url, majorApiVersion: 1, validFor: { start }, operator: 'sigstore.mock' });
  const signingConfig = {
    mediaType: 'application/vnd.dev.sigstore.signingconfig.v0.2+json',
    caUrls: [service(base)],
    oidcUrls: [],
    rekorTlogUrls: [service(base)],
    tsaUrls: [service(`${base}/api/v1/timestamp`)],
    rekorTlogConfig: { selector: 'ANY' },
    tsaConfig: { selector: 'ANY' },
  };
  // Written whole, then renamed: the fixture reads the files as soon as the port line appears.
  const put = (file, value) => {
    writeFileSync(`${file}.tmp`, JSON.stringify(value, null, 2) + '\n');
    renameSync(`${file}.tmp`, file);
  };
  put(options['trusted-root'], trustedRoot);
  if (options['signing-config']) put(options['signing-config'], signingConfig);
  process.stdout.write(`port ${port}\n`);
});

// The fixture holds our stdin open; when it goes away (even by a crash), so does the server.
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
process.on('SIGTERM', () => process.exit(0));
