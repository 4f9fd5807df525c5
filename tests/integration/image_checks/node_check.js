// Runs inside a distill nodejs image (see test_build_online.py): hashing,
// TLS contexts from node's roots and from the image's CA bundle, an https
// agent, the user id. The last line of stdout is `RESULT <json>`; the exit
// code is 1 when a check failed.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const https = require('https');
const tls = require('tls');

const result = { node: process.version, uid: process.getuid(), gid: process.getgid(),
                 openssl: process.versions.openssl, errors: [] };
function check(name, fn) {
  try {
    result[name] = fn();
  } catch (e) {
    result.errors.push(name + ': ' + (e && e.stack ? e.stack : String(e)));
  }
}

check('sha256', () => crypto.createHash('sha256').update('distill').digest('hex'));
check('hmac', () => crypto.createHmac('sha256', 'key').update('data').digest('hex'));
check('random_bytes', () => crypto.randomBytes(16).length);
check('root_certificates', () => {
  tls.createSecureContext();
  return tls.rootCertificates.length;
});
check('bundle_certificates', () => {
  const file = process.env.SSL_CERT_FILE;
  const pem = fs.readFileSync(file, 'utf8');
  tls.createSecureContext({ ca: pem });
  return (pem.match(/-----BEGIN CERTIFICATE-----/g) || []).length;
});
check('https_agent', () => {
  const agent = new https.Agent({ keepAlive: false });
  const ok = typeof https.request === 'function' && agent.maxSockets > 0;
  agent.destroy();
  return ok;
});
check('paris', () => new Date(Date.UTC(2024, 6, 1, 12)).toLocaleString('en-GB',
    { timeZone: 'Europe/Paris', hour12: false }));

console.log('node ' + result.node + ', uid ' + result.uid + ', sha256 ' + result.sha256 +
            ', ' + result.root_certificates + ' root certificates');
console.log('RESULT ' + JSON.stringify(result));
process.exitCode = result.errors.length ? 1 : 0;
