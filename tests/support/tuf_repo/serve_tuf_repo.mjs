// A local TUF repository for sigil's trust update tests, served on 127.0.0.1 (free port).
// Metadata is made and signed by @tufjs/repo-mock and @tufjs/models (code sigil did not write);
// every scenario is a mirror of its own: http://127.0.0.1:PORT/<scenario>/.
//
//   node serve_tuf_repo.mjs OUT_DIR
// writes OUT_DIR/1.root.json (the trust anchor a client starts from), then prints "port N" on
// stdout and serves until stdin closes or SIGTERM.
//
// Scenarios, in the order a test walks them (the client keeps state between them):
//   a         root v1 (repo-mock's: one ECDSA key, consistent_snapshot false), targets v1
//   b         root v2 (new key, signed by old and new keys, consistent_snapshot true), targets v2
//   c         targets v3 under root v2
//   rollback  timestamp v2 again (validly signed) after a client saw v3
//   snaprollback  timestamp v4 pointing back at snapshot v2
//   badsig    timestamp v5 with a corrupted signature
//   expired   timestamp v5, validly signed, expired
//   badhash   v6 metadata listing a target whose served bytes differ (same length)
//   badlength v6 metadata listing a target, served with one byte more
//   oversized timestamp.json of 100000 bytes
//   malformed timestamp.json that is not JSON
//   badroot   3.root.json signed only by a key root v2 does not know
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const tools = process.env.SIGIL_TUF_TOOLS || path.join(here, '..', '..', '..', '.tools', 'tuf-repo');
const require = createRequire(path.join(tools, 'package.json'));
const { createRootMeta, createTargetsMeta, createSnapshotMeta, createTimestampMeta } = require('@tufjs/repo-mock/dist/metadata');
const { KeyPair } = require('@tufjs/repo-mock/dist/key');
const { collectTargets } = require('@tufjs/repo-mock/dist/target');
const { Metadata, Root, Snapshot, Targets, Timestamp, MetaFile } = require('@tufjs/models');
const crypto = require('node:crypto');

const outDir = process.argv[2];
if (!outDir) {
  console.error('usage: serve_tuf_repo.mjs OUT_DIR');
  process.exit(2);
}

const inDays = (days) => new Date(Date.now() + days * 86400000).toISOString();
const bytesOf = (meta) => Buffer.from(JSON.stringify(meta.toJSON()));
const sha256 = (data) => crypto.createHash('sha256').update(data).digest('hex');
const metaFile = (version, data) => new MetaFile({ version, length: data.length, hashes: { sha256: sha256(data) } });
const content = (stage) => ({
  'trusted_root.json': Buffer.from(JSON.stringify({ mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1', stage })),
  'signing_config.v0.2.json': Buffer.from(JSON.stringify({ mediaType: 'application/vnd.dev.sigstore.signingconfig.v0.2+json', stage })),
});
const asTargets = (files) => Object.entries(files).map(([name, data]) => ({ name, content: data }));

const files = {};
const serve = (scenario, name, data) => {
  files[scenario] = files[scenario] || {};
  files[scenario][name] = Buffer.isBuffer(data) ? data : Buffer.from(data);
};

// Stage a: exactly what repo-mock's initializeTUFRepo makes (v1 of everything, one key), built
// from its parts so the test keeps the key that signs root v2.
const key1 = new KeyPair();
const root1 = createRootMeta(key1);
const targets1 = createTargetsMeta(collectTargets(asTargets(content('a'))), key1);
const snapshot1 = createSnapshotMeta(targets1, key1);
const timestamp1 = createTimestampMeta(snapshot1, key1);
serve('a', '1.root.json', bytesOf(root1));
serve('a', 'timestamp.json', bytesOf(timestamp1));
serve('a', 'snapshot.json', bytesOf(snapshot1));
serve('a', 'targets.json', bytesOf(targets1));
for (const [name, data] of Object.entries(content('a'))) serve('a', 'targets/' + name, data);
fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(path.join(outDir, '1.root.json'), bytesOf(root1));

// Root v2: every role moves to key2; signed by the old and the new root key (§5.3.4).
const key2 = new KeyPair();
const root2 = new Metadata(new Root({ version: 2, specVersion: '1.0.0', expires: inDays(365), consistentSnapshot: true }));
for (const role of ['root', 'timestamp', 'snapshot', 'targets']) root2.signed.addKey(key2.publicKey, role);
root2.sign((d) => key1.sign(d));
root2.sign((d) => key2.sign(d));

// One consistent-snapshot publication at `version` signed by `key`: returns its files.
function publish(version, stageFiles, key, { expires = inDays(30), snapshotVersion = version } = {}) {
  const out = {};
  const targets = new Metadata(new Targets({ version, specVersion: '1.0.0', expires }));
  for (const f of collectTargets(asTargets(stageFiles))) targets.signed.addTarget(f);
  targets.sign((d) => key.sign(d));
  const targetsBytes = bytesOf(targets);
  const snapshot = new Metadata(new Snapshot({ version, specVersion: '1.0.0', expires,
    meta: { 'targets.json': metaFile(version, targetsBytes) } }));
  snapshot.sign((d) => key.sign(d));
  const snapshotBytes = bytesOf(snapshot);
  out[`${version}.targets.json`] = targetsBytes;
  out[`${version}.snapshot.json`] = snapshotBytes;
  for (const [name, data] of Object.entries(stageFiles)) out[`targets/${sha256(data)}.${name}`] = data;
  const pointed = snapshotVersion === version ? snapshotBytes : published[snapshotVersion][`${snapshotVersion}.snapshot.json`];
  const timestamp = new Metadata(new Timestamp({ version, specVersion: '1.0.0', expires,
    snapshotMeta: metaFile(snapshotVersion, pointed) }));
  timestamp.sign((d) => key.sign(d));
  out['timestamp.json'] = bytesOf(timestamp);
  published[version] = out;
  return out;
}
const published = {};
const withRoots = (scenario, extra) => {
  serve(scenario, '1.root.json', bytesOf(root1));
  serve(scenario, '2.root.json', bytesOf(root2));
  for (const [name, data] of Object.entries(extra)) serve(scenario, name, data);
};

const b = publish(2, content('b'), key2);
withRoots('b', b);
const c = publish(3, content('c'), key2);
withRoots('c', c);
withRoots('rollback', { ...c, ...b, 'timestamp.json': b['timestamp.json'] });
withRoots('snaprollback', { ...c, ...b, 'timestamp.json': publish(4, content('c'), key2, { snapshotVersion: 2 })['timestamp.json'] });

const badsig = JSON.parse(publish(5, content('c'), key2)['timestamp.json']);
const sig = badsig.signatures[0].sig;
badsig.signatures[0].sig = sig.slice(0, -2) + (sig.endsWith('00') ? '01' : '00');
withRoots('badsig', { ...published[5], 'timestamp.json': JSON.stringify(badsig) });
withRoots('expired', publish(5, content('c'), key2, { expires: inDays(-1) }));

const listed = content('d');
const good6 = publish(6, listed, key2);
const tname = `targets/${sha256(listed['trusted_root.json'])}.trusted_root.json`;
const flipped = Buffer.from(listed['trusted_root.json']);
flipped[flipped.length - 3] ^= 1;
withRoots('badhash', { ...good6, [tname]: flipped });
withRoots('badlength', { ...good6, [tname]: Buffer.concat([listed['trusted_root.json'], Buffer.from(' ')]) });
withRoots('oversized', { ...c, 'timestamp.json': Buffer.alloc(100000, 32) });
withRoots('malformed', { ...c, 'timestamp.json': '{"signed": [' });
const attacker = new KeyPair();
const root3 = new Metadata(new Root({ version: 3, specVersion: '1.0.0', expires: inDays(365), consistentSnapshot: true }));
for (const role of ['root', 'timestamp', 'snapshot', 'targets']) root3.signed.addKey(attacker.publicKey, role);
root3.sign((d) => attacker.sign(d));
withRoots('badroot', { ...c, '3.root.json': bytesOf(root3) });

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://127.0.0.1');
  const [, scenarioName, ...rest] = url.pathname.split('/');
  const body = files[scenarioName]?.[rest.join('/')];
  if (req.method !== 'GET' || body === undefined) {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
    return;
  }
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
  res.end(body);
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`port ${server.address().port}\n`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();
