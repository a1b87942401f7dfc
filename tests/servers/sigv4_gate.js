#!/usr/bin/env node
// sigv4_gate: a reverse proxy for the mlv test suite that verifies AWS Signature Version 4 on
// every request before it reaches s3rver (s3rver 3.7.1 checks only the access key id of a V4
// request, so on its own it lets a signing bug pass).
//
//   node sigv4_gate.js --port PORT --target-port TARGET [--access-key S3RVER] [--secret-key S3RVER]
//                      [--region REGION] [--log FILE] [--spool-dir DIR]
//   node sigv4_gate.js --self-test      checks the verifier against AWS's published examples
//
// Listens on 127.0.0.1:PORT and forwards each request unchanged (method, path and raw query,
// headers including Host, body) to 127.0.0.1:TARGET, and streams the answer back, keeping
// connections alive on both sides. Before forwarding it rebuilds the canonical request from what
// arrived and recomputes the signature, following the S3 API reference ("Authenticating Requests
// (AWS Signature Version 4)"):
//   - Authorization header (AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/s3/aws4_request,
//     SignedHeaders=..., Signature=...) or presigned query parameters (X-Amz-Algorithm, ...).
//   - A payload hash in x-amz-content-sha256 other than UNSIGNED-PAYLOAD is checked against the
//     body: the body is hashed as it arrives and held (in memory, or in a spool file past 16 MiB)
//     until the hash is known, so a body that does not match never reaches s3rver (which writes
//     objects in place, so a half-forwarded body would damage the store).
// Refusals are S3-style XML errors; a refused request is never forwarded:
//   no authentication 403 AccessDenied, unknown key 403 InvalidAccessKeyId, wrong signature
//   403 SignatureDoesNotMatch (with the canonical request and string to sign the gate computed),
//   x-amz-date more than 15 minutes off 403 RequestTimeTooSkewed, expired presigned URL 403
//   AccessDenied, body not matching x-amz-content-sha256 400 XAmzContentSHA256Mismatch,
//   malformed authentication 400 AuthorizationHeaderMalformed / AuthorizationQueryParametersError,
//   aws-chunked uploads (STREAMING-*) 501 NotImplemented.
// --log FILE gets one line per request: METHOD PATH VERDICT STATUS, where VERDICT is "forwarded"
// or the error code the gate answered with.
//
// Node built-ins only.

'use strict';

const http = require('node:http');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ALGORITHM = 'AWS4-HMAC-SHA256';
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const MAX_SKEW_MS = 15 * 60 * 1000;
const MAX_PRESIGN_EXPIRES = 7 * 24 * 3600;
const SPOOL_IN_MEMORY = 16 * 1024 * 1024;
// Connection-level headers: the gate manages its own connections on both sides.
const HOP_BY_HOP = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer',
  'upgrade', 'expect',
]);

// --- encoding (UriEncode of the S3 API reference) -----------------------------------------------

// The bytes of a percent-encoded string: %XX becomes its byte, anything else its UTF-8 bytes
// (a '%' not followed by two hex digits stays a literal '%').
function percentDecodeToBytes(text) {
  const out = [];
  for (let i = 0; i < text.length; ) {
    if (text[i] === '%' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      out.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 3;
      continue;
    }
    const cp = text.codePointAt(i);
    const ch = String.fromCodePoint(cp);
    for (const b of Buffer.from(ch, 'utf8')) out.push(b);
    i += ch.length;
  }
  return Buffer.from(out);
}

// UriEncode: every byte except the unreserved A-Z a-z 0-9 - . _ ~ as %XX with upper-case hex
// ('/' included: callers encode path segments one at a time).
function uriEncodeBytes(bytes) {
  let out = '';
  for (const b of bytes) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-._~]/.test(c)) out += c;
    else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

function normalizeEncoded(text) {
  return uriEncodeBytes(percentDecodeToBytes(text));
}

// The canonical URI of a raw request path: each '/'-separated segment decoded and encoded once
// (S3 does not double-encode, and does not resolve '.' or '..').
function canonicalUri(rawPath) {
  if (rawPath === '' || rawPath === undefined) return '/';
  return rawPath.split('/').map(normalizeEncoded).join('/');
}

// Raw query text to [name, value] pairs as they were sent (still encoded).
function splitQuery(rawQuery) {
  const pairs = [];
  if (!rawQuery) return pairs;
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    pairs.push(eq < 0 ? [part, ''] : [part.slice(0, eq), part.slice(eq + 1)]);
  }
  return pairs;
}

function decodeComponent(text) {
  return percentDecodeToBytes(text).toString('utf8');
}

// Sorted by encoded name, then encoded value; "name=" for an empty value.
function canonicalQuery(pairs) {
  const encoded = pairs.map(([n, v]) => [normalizeEncoded(n), normalizeEncoded(v)]);
  encoded.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return encoded.map(([n, v]) => `${n}=${v}`).join('&');
}

// name (lower case) -> list of values, in arrival order, from Node's rawHeaders.
function headerMap(rawHeaders) {
  const map = new Map();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase();
    if (!map.has(name)) map.set(name, []);
    map.get(name).push(rawHeaders[i + 1]);
  }
  return map;
}

function trimAll(value) {
  return value.trim().replace(/[ \t]+/g, ' ');
}

// --- signing -------------------------------------------------------------------------------

function sha256Hex(data) {
  return crypto.createHash('sha256').update(data).digest('hex');
}

function hmac(key, data) {
  return crypto.createHmac('sha256', key).update(data, 'utf8').digest();
}

function signingKey(secret, date, region, service) {
  const kDate = hmac('AWS4' + secret, date);
  const kRegion = hmac(kDate, region);
  const kService = hmac(kRegion, service);
  return hmac(kService, 'aws4_request');
}

// input: {method, rawPath, queryPairs, headers (Map), signedHeaders [names], payloadHash,
//         amzDate, scope: {date, region, service}}
function buildCanonicalRequest(input) {
  const names = input.signedHeaders;
  const canonicalHeaders = names
    .map(name => `${name}:${(input.headers.get(name) || []).map(trimAll).join(',')}\n`)
    .join('');
  return [
    input.method,
    canonicalUri(input.rawPath),
    canonicalQuery(input.queryPairs),
    canonicalHeaders,
    names.join(';'),
    input.payloadHash,
  ].join('\n');
}

function scopeString(scope) {
  return `${scope.date}/${scope.region}/${scope.service}/aws4_request`;
}

function buildStringToSign(input, canonicalRequest) {
  return [ALGORITHM, input.amzDate, scopeString(input.scope), sha256Hex(canonicalRequest)].join('\n');
}

function computeSignature(input, secret) {
  const canonicalRequest = buildCanonicalRequest(input);
  const stringToSign = buildStringToSign(input, canonicalRequest);
  const key = signingKey(secret, input.scope.date, input.scope.region, input.scope.service);
  const signature = crypto.createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
  return { canonicalRequest, stringToSign, signature };
}

function signaturesEqual(computedHex, providedHex) {
  if (!/^[0-9a-f]{64}$/.test(providedHex)) return false;
  return crypto.timingSafeEqual(Buffer.from(computedHex, 'hex'), Buffer.from(providedHex, 'hex'));
}

// --- errors --------------------------------------------------------------------------------

class GateError extends Error {
  constructor(status, code, message, extra = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.extra = extra;
  }
}

function xmlEscape(text) {
  return String(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\r/g, '&#13;');
}

function errorXml(err, requestId) {
  let body = '<?xml version="1.0" encoding="UTF-8"?>\n<Error>';
  body += `<Code>${xmlEscape(err.code)}</Code><Message>${xmlEscape(err.message)}</Message>`;
  for (const [name, value] of Object.entries(err.extra)) {
    body += `<${name}>${xmlEscape(value)}</${name}>`;
  }
  body += `<RequestId>${requestId}</RequestId></Error>`;
  return body;
}

// --- parsing the authentication ------------------------------------------------------------

function parseAmzDate(text) {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text || '');
  if (!m) return null;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  return Number.isNaN(ms) ? null : ms;
}

function parseCredential(text, malformed) {
  const parts = (text || '').split('/');
  if (parts.length !== 5 || parts.some(p => p === '')) {
    throw malformed(`the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request", got "${text}".`);
  }
  const [accessKey, date, region, service, terminal] = parts;
  if (!/^\d{8}$/.test(date)) throw malformed(`invalid credential date "${date}".`);
  if (terminal !== 'aws4_request') {
    throw malformed(`the Credential should be scoped with a valid terminator: 'aws4_request', not '${terminal}'.`);
  }
  if (service !== 's3') {
    throw malformed(`the Credential should be scoped to correct service: 's3', not '${service}'.`);
  }
  return { accessKey, scope: { date, region, service } };
}

function parseSignedHeaders(text, malformed) {
  if (!text) throw malformed('the SignedHeaders are missing.');
  const names = text.split(';');
  if (names.some(n => n === '' || n !== n.toLowerCase())) {
    throw malformed(`the SignedHeaders "${text}" must be lower-case names separated by ';'.`);
  }
  return names;
}

// What to verify for a request, or a GateError. Does not look at the body.
function parseAuthentication(req, rawPath, rawQuery, config, now) {
  const headers = headerMap(req.rawHeaders);
  const queryPairs = splitQuery(rawQuery);
  const queryNames = new Map(queryPairs.map(([n, v]) => [decodeComponent(n), decodeComponent(v)]));
  const authorization = headers.has('authorization') ? headers.get('authorization').join(',') : null;
  const presigned = queryNames.has('X-Amz-Algorithm') || queryNames.has('X-Amz-Signature') ||
    queryNames.has('X-Amz-Credential');

  if (authorization === null && !presigned) {
    if (queryNames.has('Signature') || queryNames.has('AWSAccessKeyId')) {
      throw new GateError(400, 'InvalidRequest',
        'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.');
    }
    throw new GateError(403, 'AccessDenied', 'Access Denied');
  }
  if (authorization !== null && presigned) {
    throw new GateError(400, 'InvalidArgument',
      'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query ' +
      'string parameter or the Authorization header should be specified');
  }

  const input = {
    method: req.method,
    rawPath,
    headers,
    queryPairs,
  };
  let accessKey;
  let provided;
  let expiresMs = null;

  if (authorization !== null) {
    const malformed = why => new GateError(400, 'AuthorizationHeaderMalformed',
      `The authorization header is malformed; ${why}`);
    const space = authorization.indexOf(' ');
    const algorithm = space < 0 ? authorization : authorization.slice(0, space);
    if (algorithm !== ALGORITHM) {
      throw new GateError(400, 'InvalidRequest',
        'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.');
    }
    const fields = {};
    for (const part of authorization.slice(space + 1).split(',')) {
      const trimmed = part.trim();
      const eq = trimmed.indexOf('=');
      if (eq <= 0) throw malformed(`cannot parse "${trimmed}".`);
      fields[trimmed.slice(0, eq)] = trimmed.slice(eq + 1);
    }
    for (const name of ['Credential', 'SignedHeaders', 'Signature']) {
      if (!(name in fields)) throw malformed(`it has no ${name}.`);
    }
    const credential = parseCredential(fields.Credential, malformed);
    accessKey = credential.accessKey;
    input.scope = credential.scope;
    input.signedHeaders = parseSignedHeaders(fields.SignedHeaders, malformed);
    provided = fields.Signature;
    const amzDate = headers.has('x-amz-date') ? headers.get('x-amz-date')[0] : null;
    if (amzDate === null) {
      throw new GateError(403, 'AccessDenied',
        'AWS authentication requires a valid Date or x-amz-date header (this gate reads x-amz-date)');
    }
    input.amzDate = amzDate;
    const contentSha = headers.has('x-amz-content-sha256') ? headers.get('x-amz-content-sha256')[0] : null;
    if (contentSha === null) {
      throw new GateError(400, 'InvalidRequest',
        'Missing required header for this request: x-amz-content-sha256');
    }
    input.payloadHash = contentSha;
  } else {
    const malformed = why => new GateError(400, 'AuthorizationQueryParametersError', why);
    for (const name of ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires',
      'X-Amz-SignedHeaders', 'X-Amz-Signature']) {
      if (!queryNames.has(name)) {
        throw malformed(`Query-string authentication version 4 requires the X-Amz-Algorithm, ` +
          `X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires ` +
          `parameters (${name} is missing).`);
      }
    }
    if (queryNames.get('X-Amz-Algorithm') !== ALGORITHM) {
      throw malformed('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
    }
    const credential = parseCredential(queryNames.get('X-Amz-Credential'),
      why => malformed(`Error parsing the X-Amz-Credential parameter; ${why}`));
    accessKey = credential.accessKey;
    input.scope = credential.scope;
    input.signedHeaders = parseSignedHeaders(queryNames.get('X-Amz-SignedHeaders'), malformed);
    provided = queryNames.get('X-Amz-Signature');
    input.amzDate = queryNames.get('X-Amz-Date');
    const expires = queryNames.get('X-Amz-Expires');
    if (!/^\d+$/.test(expires) || +expires > MAX_PRESIGN_EXPIRES) {
      throw malformed(`X-Amz-Expires must be a number of seconds between 0 and ${MAX_PRESIGN_EXPIRES}`);
    }
    expiresMs = +expires * 1000;
    // Everything but the signature itself is signed.
    input.queryPairs = queryPairs.filter(([n]) => decodeComponent(n) !== 'X-Amz-Signature');
    const contentSha = headers.has('x-amz-content-sha256') ? headers.get('x-amz-content-sha256')[0] : null;
    input.payloadHash = contentSha !== null && input.signedHeaders.includes('x-amz-content-sha256')
      ? contentSha : UNSIGNED_PAYLOAD;
  }

  const secret = config.keys.get(accessKey);
  if (secret === undefined) {
    throw new GateError(403, 'InvalidAccessKeyId',
      'The AWS Access Key Id you provided does not exist in our records.', { AWSAccessKeyId: accessKey });
  }

  const requestTime = parseAmzDate(input.amzDate);
  if (requestTime === null) {
    throw new GateError(403, 'AccessDenied',
      `AWS authentication requires a valid Date or x-amz-date header (got "${input.amzDate}")`);
  }
  if (input.scope.date !== input.amzDate.slice(0, 8)) {
    throw new GateError(400, authorization !== null ? 'AuthorizationHeaderMalformed' : 'AuthorizationQueryParametersError',
      `The credential date "${input.scope.date}" does not match the date of x-amz-date "${input.amzDate}".`);
  }
  if (config.region && input.scope.region !== config.region) {
    throw new GateError(400, authorization !== null ? 'AuthorizationHeaderMalformed' : 'AuthorizationQueryParametersError',
      `the region '${input.scope.region}' is wrong; expecting '${config.region}'`, { Region: config.region });
  }
  if (expiresMs === null) {
    if (Math.abs(now - requestTime) > MAX_SKEW_MS) {
      throw new GateError(403, 'RequestTimeTooSkewed',
        'The difference between the request time and the current time is too large.', {
          RequestTime: input.amzDate,
          ServerTime: new Date(now).toISOString(),
          MaxAllowedSkewMilliseconds: String(MAX_SKEW_MS),
        });
    }
  } else {
    if (requestTime - now > MAX_SKEW_MS) {
      throw new GateError(403, 'AccessDenied', 'Request is not valid yet');
    }
    if (now > requestTime + expiresMs) {
      throw new GateError(403, 'AccessDenied', 'Request has expired', {
        Expires: new Date(requestTime + expiresMs).toISOString(),
        ServerTime: new Date(now).toISOString(),
      });
    }
  }

  const payloadHash = input.payloadHash;
  if (payloadHash.startsWith('STREAMING-')) {
    throw new GateError(501, 'NotImplemented',
      `x-amz-content-sha256 "${payloadHash}" (aws-chunked uploads) is not supported by this gate or s3rver`);
  }
  if (payloadHash !== UNSIGNED_PAYLOAD && !/^[0-9a-f]{64}$/.test(payloadHash)) {
    throw new GateError(400, 'InvalidArgument',
      'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, or a valid sha256 value.',
      { ArgumentName: 'x-amz-content-sha256', ArgumentValue: payloadHash });
  }

  // Host and every x-amz-* header that arrived must be signed (x-amz-content-sha256 is signed
  // anyway, as the last line of the canonical request).
  const unsigned = [];
  for (const name of headers.keys()) {
    const mustSign = name === 'host' || (name.startsWith('x-amz-') && name !== 'x-amz-content-sha256');
    if (mustSign && !input.signedHeaders.includes(name)) unsigned.push(name);
  }
  if (unsigned.length > 0 || !input.signedHeaders.includes('host')) {
    throw new GateError(403, 'AccessDenied', 'There were headers present in the request which were not signed',
      { HeadersNotSigned: unsigned.join(', ') || 'host' });
  }

  const sorted = [...input.signedHeaders].sort();
  input.signedHeaders = sorted;
  const computed = computeSignature(input, secret);
  if (!signaturesEqual(computed.signature, provided)) {
    throw new GateError(403, 'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      {
        AWSAccessKeyId: accessKey,
        StringToSign: computed.stringToSign,
        SignatureProvided: provided,
        CanonicalRequest: computed.canonicalRequest,
      });
  }
  return { payloadHash };
}

// --- holding a body until its hash is known ------------------------------------------------

// Takes chunks, keeps the first SPOOL_IN_MEMORY bytes in memory and the rest in a file under
// spoolDir, and hashes them all. write() returns a promise when the caller should wait.
class Spool {
  constructor(spoolDir) {
    this.spoolDir = spoolDir;
    this.chunks = [];
    this.size = 0;
    this.hash = crypto.createHash('sha256');
    this.file = null;
    this.filePath = null;
  }

  write(chunk) {
    this.hash.update(chunk);
    this.size += chunk.length;
    if (this.file === null && this.size <= SPOOL_IN_MEMORY) {
      this.chunks.push(chunk);
      return null;
    }
    if (this.file === null) {
      this.filePath = path.join(this.spoolDir,
        `sigv4-gate-${process.pid}-${crypto.randomBytes(8).toString('hex')}.body`);
      this.file = fs.createWriteStream(this.filePath, { flags: 'wx', mode: 0o600 });
      for (const held of this.chunks) this.file.write(held);
      this.chunks = [];
    }
    if (this.file.write(chunk)) return null;
    return new Promise(resolve => this.file.once('drain', resolve));
  }

  // Resolves with the hex digest once everything is written.
  finish() {
    const digest = this.hash.digest('hex');
    if (this.file === null) return Promise.resolve(digest);
    return new Promise((resolve, reject) => {
      this.file.once('error', reject);
      this.file.end(() => resolve(digest));
    });
  }

  // Sends the held body into a writable (the upstream request) and ends it.
  pipeTo(upstream) {
    if (this.file === null) {
      for (const chunk of this.chunks) upstream.write(chunk);
      upstream.end();
      return;
    }
    const reader = fs.createReadStream(this.filePath);
    reader.on('error', err => upstream.destroy(err));
    reader.pipe(upstream);
    reader.on('close', () => this.discard());
  }

  discard() {
    this.chunks = [];
    if (this.filePath !== null) {
      const file = this.filePath;
      this.filePath = null;
      if (this.file) this.file.destroy();
      fs.unlink(file, () => {});
    }
  }
}

// --- the proxy -----------------------------------------------------------------------------

function forwardHeaders(rawHeaders) {
  const headers = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i];
    if (HOP_BY_HOP.has(name.toLowerCase())) continue;
    if (name in headers) {
      if (!Array.isArray(headers[name])) headers[name] = [headers[name]];
      headers[name].push(rawHeaders[i + 1]);
    } else {
      headers[name] = rawHeaders[i + 1];
    }
  }
  return headers;
}

function makeGate(config) {
  const agent = new http.Agent({ keepAlive: true });
  // Written synchronously: a line is in the file before the client has the answer.
  const logFd = config.logFile ? fs.openSync(config.logFile, 'a') : null;
  const logLine = (req, verdict, status) => {
    if (logFd !== null) fs.writeSync(logFd, `${req.method} ${req.url} ${verdict} ${status}\n`);
  };

  function refuse(req, res, err, expectContinue) {
    const requestId = crypto.randomBytes(8).toString('hex').toUpperCase();
    const body = req.method === 'HEAD' ? '' : errorXml(err, requestId);
    logLine(req, err.code, err.status);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const headers = {
      'Content-Type': 'application/xml',
      'Content-Length': Buffer.byteLength(body),
      'x-amz-request-id': requestId,
    };
    // A client waiting for 100-continue never sends its body: close rather than wait for it.
    // Otherwise whatever is left of the body is read and dropped, and the connection is kept.
    if (expectContinue) headers.Connection = 'close';
    else req.resume();
    res.writeHead(err.status, headers);
    res.end(body);
  }

  function forward(req, res, spool) {
    const upstream = http.request({
      host: '127.0.0.1',
      port: config.targetPort,
      method: req.method,
      path: req.url,
      headers: forwardHeaders(req.rawHeaders),
      agent,
      setHost: false,
    });
    upstream.on('response', upRes => {
      logLine(req, 'forwarded', upRes.statusCode);
      res.writeHead(upRes.statusCode, upRes.statusMessage, forwardHeaders(upRes.rawHeaders));
      upRes.pipe(res);
      upRes.on('error', () => res.destroy());
    });
    upstream.on('error', err => {
      if (spool) spool.discard();
      if (!res.headersSent) {
        refuse(req, res, new GateError(502, 'BadGateway', `s3rver is unreachable: ${err.message}`), false);
      } else {
        res.destroy();
      }
    });
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    if (spool) spool.pipeTo(upstream);
    else req.pipe(upstream);
  }

  async function handle(req, res, expectContinue) {
    const queryAt = req.url.indexOf('?');
    const rawPath = queryAt < 0 ? req.url : req.url.slice(0, queryAt);
    const rawQuery = queryAt < 0 ? '' : req.url.slice(queryAt + 1);
    let verdict;
    try {
      if (!rawPath.startsWith('/')) {
        throw new GateError(400, 'InvalidURI', 'Could not parse the specified URI.');
      }
      verdict = parseAuthentication(req, rawPath, rawQuery, config, Date.now());
    } catch (err) {
      if (!(err instanceof GateError)) throw err;
      refuse(req, res, err, expectContinue);
      return;
    }
    if (expectContinue) res.writeContinue();

    if (verdict.payloadHash === UNSIGNED_PAYLOAD) {
      forward(req, res, null);
      return;
    }
    // A signed payload: hold the body until its hash is known.
    const spool = new Spool(config.spoolDir);
    let aborted = false;
    req.on('aborted', () => { aborted = true; spool.discard(); });
    req.on('close', () => { if (!req.complete) { aborted = true; spool.discard(); } });
    try {
      for await (const chunk of req) {
        const wait = spool.write(chunk);
        if (wait) await wait;
      }
    } catch {
      spool.discard();
      return;
    }
    if (aborted) return;
    const digest = await spool.finish();
    if (digest !== verdict.payloadHash) {
      spool.discard();
      refuse(req, res, new GateError(400, 'XAmzContentSHA256Mismatch',
        "The provided 'x-amz-content-sha256' header does not match what was computed.", {
          ClientComputedContentSHA256: verdict.payloadHash,
          S3ComputedContentSHA256: digest,
        }), false);
      return;
    }
    forward(req, res, spool);
  }

  const server = http.createServer();
  const onRequest = expectContinue => (req, res) => {
    handle(req, res, expectContinue).catch(err => {
      process.stderr.write(`sigv4_gate: ${err.stack || err}\n`);
      if (!res.headersSent) refuse(req, res, new GateError(500, 'InternalError', String(err.message)), expectContinue);
      else res.destroy();
    });
  };
  server.on('request', onRequest(false));
  server.on('checkContinue', onRequest(true));
  server.on('clientError', (err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  });
  return server;
}

// --- self-test against AWS's published examples ----------------------------------------------

function selfTest() {
  const failures = [];
  const check = (what, actual, expected) => {
    if (actual !== expected) failures.push(`${what}: expected ${expected}, got ${actual}`);
  };
  const s3Secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  const s3Scope = { date: '20130524', region: 'us-east-1', service: 's3' };
  const hdrs = obj => new Map(Object.entries(obj).map(([k, v]) => [k, [v]]));

  // S3 API reference, "Examples: Signature Calculations": GET Object with a range.
  check('GET object', computeSignature({
    method: 'GET', rawPath: '/test.txt', queryPairs: [],
    headers: hdrs({
      host: 'examplebucket.s3.amazonaws.com', range: 'bytes=0-9',
      'x-amz-content-sha256': EMPTY_SHA256, 'x-amz-date': '20130524T000000Z',
    }),
    signedHeaders: ['host', 'range', 'x-amz-content-sha256', 'x-amz-date'],
    payloadHash: EMPTY_SHA256, amzDate: '20130524T000000Z', scope: s3Scope,
  }, s3Secret).signature, 'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41');

  // PUT Object with an encoded key ("test$file.text").
  const putHash = '44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072';
  check('PUT object', computeSignature({
    method: 'PUT', rawPath: '/test%24file.text', queryPairs: [],
    headers: hdrs({
      date: 'Fri, 24 May 2013 00:00:00 GMT', host: 'examplebucket.s3.amazonaws.com',
      'x-amz-content-sha256': putHash, 'x-amz-date': '20130524T000000Z',
      'x-amz-storage-class': 'REDUCED_REDUNDANCY',
    }),
    signedHeaders: ['date', 'host', 'x-amz-content-sha256', 'x-amz-date', 'x-amz-storage-class'],
    payloadHash: putHash, amzDate: '20130524T000000Z', scope: s3Scope,
  }, s3Secret).signature, '98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd');
  // The same key sent unencoded ('$' raw) canonicalizes the same way.
  check('canonical URI of a raw $', canonicalUri('/test$file.text'), '/test%24file.text');

  // GET Bucket (list objects), query out of order.
  check('list objects', computeSignature({
    method: 'GET', rawPath: '/', queryPairs: splitQuery('prefix=J&max-keys=2'),
    headers: hdrs({
      host: 'examplebucket.s3.amazonaws.com', 'x-amz-content-sha256': EMPTY_SHA256,
      'x-amz-date': '20130524T000000Z',
    }),
    signedHeaders: ['host', 'x-amz-content-sha256', 'x-amz-date'],
    payloadHash: EMPTY_SHA256, amzDate: '20130524T000000Z', scope: s3Scope,
  }, s3Secret).signature, '34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7');

  // GET Bucket lifecycle: an empty-valued subresource.
  check('get lifecycle', computeSignature({
    method: 'GET', rawPath: '/', queryPairs: splitQuery('lifecycle'),
    headers: hdrs({
      host: 'examplebucket.s3.amazonaws.com', 'x-amz-content-sha256': EMPTY_SHA256,
      'x-amz-date': '20130524T000000Z',
    }),
    signedHeaders: ['host', 'x-amz-content-sha256', 'x-amz-date'],
    payloadHash: EMPTY_SHA256, amzDate: '20130524T000000Z', scope: s3Scope,
  }, s3Secret).signature, 'fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543');

  // Query string authentication (presigned URL), 86400 s.
  check('presigned GET', computeSignature({
    method: 'GET', rawPath: '/test.txt',
    queryPairs: splitQuery('X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host'),
    headers: hdrs({ host: 'examplebucket.s3.amazonaws.com' }),
    signedHeaders: ['host'],
    payloadHash: UNSIGNED_PAYLOAD, amzDate: '20130524T000000Z', scope: s3Scope,
  }, s3Secret).signature, 'aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404');

  // The general SigV4 test suite: get-vanilla (service "service").
  check('get-vanilla', computeSignature({
    method: 'GET', rawPath: '/', queryPairs: [],
    headers: hdrs({ host: 'example.amazonaws.com', 'x-amz-date': '20150830T123600Z' }),
    signedHeaders: ['host', 'x-amz-date'], payloadHash: EMPTY_SHA256,
    amzDate: '20150830T123600Z', scope: { date: '20150830', region: 'us-east-1', service: 'service' },
  }, 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY').signature,
  '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31');

  // Encoding rules.
  check('encode reserved', normalizeEncoded("a b+c=*!'()"), 'a%20b%2Bc%3D%2A%21%27%28%29');
  check('encode utf-8', canonicalUri('/b/\u00e9t\u00e9'), '/b/%C3%A9t%C3%A9');
  check('no double encoding', canonicalUri('/b/a%20b%2Fc'), '/b/a%20b%2Fc');
  check('lower-case escapes', canonicalUri('/b/a%2fb'), '/b/a%2Fb');
  check('query order', canonicalQuery(splitQuery('uploadId=a%2Fb&partNumber=2&uploads')),
    'partNumber=2&uploadId=a%2Fb&uploads=');
  check('query same name', canonicalQuery(splitQuery('a=2&a=1&A=3')), 'A=3&a=1&a=2');
  check('trim all', trimAll('  a   b \t c  '), 'a b c');

  if (failures.length > 0) {
    for (const f of failures) process.stderr.write(`self-test FAIL ${f}\n`);
    return 1;
  }
  process.stdout.write('sigv4_gate self-test: ok\n');
  return 0;
}

// --- command line --------------------------------------------------------------------------

function usage(message) {
  if (message) process.stderr.write(`sigv4_gate: ${message}\n`);
  process.stderr.write(
    'usage: node sigv4_gate.js --port PORT --target-port PORT [--access-key KEY] [--secret-key SECRET]\n' +
    '                          [--region REGION] [--log FILE] [--spool-dir DIR]\n' +
    '       node sigv4_gate.js --self-test\n');
  process.exit(2);
}

function main(argv) {
  const options = {
    port: null, targetPort: null, accessKey: 'S3RVER', secretKey: 'S3RVER', region: null,
    logFile: null, spoolDir: os.tmpdir(),
  };
  const flags = {
    '--port': v => { options.port = v; },
    '--target-port': v => { options.targetPort = v; },
    '--access-key': v => { options.accessKey = v; },
    '--secret-key': v => { options.secretKey = v; },
    '--region': v => { options.region = v; },
    '--log': v => { options.logFile = v; },
    '--spool-dir': v => { options.spoolDir = v; },
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--self-test') process.exit(selfTest());
    if (arg === '--help' || arg === '-h') usage();
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (!(name in flags)) usage(`unknown argument ${arg}`);
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) usage(`${name} needs a value`);
    flags[name](value);
  }
  const port = Number(options.port);
  const targetPort = Number(options.targetPort);
  if (!Number.isInteger(port) || port < 0 || port > 65535) usage('--port must be a port number');
  if (!Number.isInteger(targetPort) || targetPort <= 0 || targetPort > 65535) {
    usage('--target-port must be a port number');
  }
  const server = makeGate({
    keys: new Map([[options.accessKey, options.secretKey]]),
    region: options.region,
    targetPort,
    logFile: options.logFile,
    spoolDir: options.spoolDir,
  });
  server.listen(port, '127.0.0.1', () => {
    const address = server.address();
    process.stdout.write(`sigv4_gate listening on http://127.0.0.1:${address.port} -> 127.0.0.1:${targetPort}\n`);
  });
  for (const signal of ['SIGTERM', 'SIGINT']) {
    process.on(signal, () => { server.close(); process.exit(0); });
  }
}

if (require.main === module) main(process.argv.slice(2));

module.exports = { canonicalUri, canonicalQuery, splitQuery, computeSignature, makeGate };
