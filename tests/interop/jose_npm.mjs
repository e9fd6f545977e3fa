// Token and JWE interoperability with the `jose` npm package (panva/jose), both ways.
//   tokens: jose generates a key, attest-verify --token ear signs with it, jose.jwtVerify
//           checks it; jose.SignJWT mints, attest-token verifies (and refuses tampering)
//   JWE:    jose encrypts (compact and flattened) to a key made by jwe-tool keygen, jwe-tool
//           decrypts; jwe-tool encrypts to jose's public JWK, jose decrypts
// usage: node jose_npm.mjs BUILD_ROOT JOSE_MODULE_DIR
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [build, joseDir] = process.argv.slice(2);
const jose = await import(pathToFileURL(join(joseDir, 'jose', 'dist', 'node', 'esm', 'index.js')));
const bin = (p) => join(build, p);
const tmp = mkdtempSync(join(tmpdir(), 'jose-npm-'));
const f = (n) => join(tmp, n);
let failures = 0;
const check = (cond, what) => {
  console.log(`${cond ? 'ok' : 'FAIL'}: ${what}`);
  if (!cond) failures++;
};
process.noDeprecation = true; // jose warns that RSA1_5 is deprecated; we test it on purpose
const run = (exe, args, input) => spawnSync(exe, args, { input, encoding: 'buffer' });

const runtime = { nonce: 'jose-npm', 'tee-pubkey': { kty: 'EC', crv: 'P-256' } };
writeFileSync(f('rd.json'), JSON.stringify(runtime));
execFileSync(bin('examples/attest-collect'), ['--tee', 'sample', '--runtime-data', f('rd.json'),
  '--runtime-data-json', '-o', f('ev.json')]);

const SIGN = { ES256: {}, ES384: {}, RS256: { modulusLength: 2048 }, RS384: { modulusLength: 2048 },
  PS256: { modulusLength: 2048 }, EdDSA: { crv: 'Ed25519' } };
for (const [alg, opts] of Object.entries(SIGN)) {
  const { publicKey, privateKey } = await jose.generateKeyPair(alg, { ...opts, extractable: true });
  writeFileSync(f('key.pem'), await jose.exportPKCS8(privateKey));
  for (const kind of ['ear', 'simple']) {
    const r = run(bin('examples/attest-verify'), ['--runtime-data-json', f('rd.json'), '--token', kind,
      '--signer-key', f('key.pem'), '--signer-alg', alg, f('ev.json')]);
    if (r.status !== 0) { check(false, `${alg} ${kind}: mint (${r.stderr})`); continue; }
    try {
      const { payload, protectedHeader } = await jose.jwtVerify(r.stdout.toString().trim(), publicKey,
        { algorithms: [alg], issuer: 'CoCo-Attestation-Service' });
      const ok = protectedHeader.alg === alg && (kind === 'ear'
        ? payload.submods.cpu0['ear.veraison.annotated-evidence'].runtime_data_claims.nonce === 'jose-npm'
        : JSON.parse(payload['tcb-status'])['sample.svn'] === '1');
      check(ok, `${alg} ${kind}: jose verifies ours`);
      check(protectedHeader.kid === await jose.calculateJwkThumbprint(await jose.exportJWK(publicKey)),
        `${alg} ${kind}: kid is jose's RFC 7638 thumbprint`);
    } catch (e) { check(false, `${alg} ${kind}: jose verifies ours (${e})`); }
  }
  const now = Math.floor(Date.now() / 1000);
  const theirs = await new jose.SignJWT({ iss: 'jose', aud: 'libattest', sub: 'x' })
    .setProtectedHeader({ alg, kid: 'k1' }).setIssuedAt(now).setExpirationTime(now + 60)
    .sign(privateKey);
  writeFileSync(f('jwks.json'), JSON.stringify({ keys: [{ ...(await jose.exportJWK(publicKey)), kid: 'k1' }] }));
  writeFileSync(f('t.jwt'), theirs);
  let r = run(bin('examples/attest-token'), ['--jwks', f('jwks.json'), '--issuer', 'jose',
    '--audience', 'libattest', f('t.jwt')]);
  check(r.status === 0 && JSON.parse(r.stdout).sub === 'x', `${alg}: attest-token verifies jose's (${r.stderr})`);
  const [h, p, s] = theirs.split('.');
  writeFileSync(f('bad.jwt'), [h, p.slice(0, -2) + (p.at(-2) === 'A' ? 'B' : 'A') + p.at(-1), s].join('.'));
  r = run(bin('examples/attest-token'), ['--jwks', f('jwks.json'), f('bad.jwt')]);
  check(r.status === 1, `${alg}: tampered jose token refused`);
}

const ENC = [['RSA-OAEP-256', { modulusLength: 2048 }], ['RSA-OAEP', { modulusLength: 2048 }],
  ['RSA1_5', { modulusLength: 2048 }], ['ECDH-ES+A256KW', { crv: 'P-256' }],
  ['ECDH-ES+A256KW', { crv: 'P-384' }], ['ECDH-ES+A256KW', { crv: 'P-521' }], ['ECDH-ES', { crv: 'P-256' }]];
const plaintexts = [Buffer.from('x'), Buffer.from('the secret resource \u0000\u00ff'.repeat(100))];
for (const [alg, opts] of ENC) {
  const name = `${alg}/${opts.crv ?? opts.modulusLength}`;
  // ours -> jose
  const { publicKey, privateKey } = await jose.generateKeyPair(alg, { ...opts, extractable: true });
  writeFileSync(f('pub.json'), JSON.stringify(await jose.exportJWK(publicKey)));
  // Node refuses RSA1_5 private decryption since CVE-2023-46809: that way is not testable
  for (const form of alg === 'RSA1_5' ? [] : ['compact', 'flattened']) {
    for (const pt of plaintexts) {
      const r = run(bin('tests/tools/jwe-tool'), ['encrypt', f('pub.json'), alg, form], pt);
      if (r.status !== 0) { check(false, `${name} ${form}: encrypt (${r.stderr})`); continue; }
      try {
        const text = r.stdout.toString();
        const out = form === 'compact'
          ? await jose.compactDecrypt(text, privateKey, { keyManagementAlgorithms: [alg] })
          : await jose.flattenedDecrypt(JSON.parse(text), privateKey, { keyManagementAlgorithms: [alg] });
        check(Buffer.compare(Buffer.from(out.plaintext), pt) === 0, `${name} ${form} ${pt.length} B: jose decrypts ours`);
      } catch (e) { check(false, `${name} ${form}: jose decrypts ours (${e})`); }
    }
  }
  // jose -> ours
  writeFileSync(f('our.pem'), await jose.exportPKCS8(privateKey));
  for (const pt of plaintexts) {
    const compact = await new jose.CompactEncrypt(pt).setProtectedHeader({ alg, enc: 'A256GCM' }).encrypt(publicKey);
    const flat = await new jose.FlattenedEncrypt(pt).setProtectedHeader({ alg, enc: 'A256GCM' }).encrypt(publicKey);
    for (const [form, text] of [['compact', compact], ['flattened', JSON.stringify(flat)]]) {
      const r = run(bin('tests/tools/jwe-tool'), ['decrypt', f('our.pem')], Buffer.from(text));
      check(r.status === 0 && Buffer.compare(r.stdout, pt) === 0, `${name} ${form} ${pt.length} B: we decrypt jose's (${r.stderr})`);
    }
  }
}
console.log(`${failures} failures`);
process.exit(failures ? 1 : 0);
