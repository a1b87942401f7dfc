#!/usr/bin/env node
// A small Google Cloud Storage JSON API server for mlv's integration tests, written from Google's
// published API reference (no GCS emulator can be installed here). Node built-ins only; binds
// 127.0.0.1. It serves what mlv uses, the way GCS answers it:
//   POST   /upload/storage/v1/b/BUCKET/o?uploadType=media&name=NAME   media upload
//   GET    /storage/v1/b/BUCKET/o/NAME[?alt=media]                    metadata / bytes (Range: 206)
//   GET    /storage/v1/b/BUCKET/o?prefix=P&pageToken=T&maxResults=N   list, sorted by name
//   DELETE /storage/v1/b/BUCKET/o/NAME                                204
//   GET    /storage/v1/b/BUCKET                                       bucket metadata
//   POST   /token   OAuth2 JWT-bearer grant: checks the RS256 signature against the test service
//                   account's public key, iss, aud, iat/exp and scope; issues random bearer tokens
//   GET    /_test/stats   counters for the tests (not GCS): tokens issued, requests refused
// Every storage request needs a valid, unexpired bearer token (401 otherwise) unless --no-auth.
// Objects live in ROOT/BUCKET/<percent-encoded name>; a bucket exists when its folder does.
//
// Usage: node gcs_server.js --port N --root DIR (--public-key PEM --client-email EMAIL | --no-auth)
//          [--token-lifetime SECONDS] [--page-size N] [--delay-ms N] [--bucket NAME]...
// --delay-ms answers every storage request that much later, so that a test's transfers outlast
// a short token lifetime.
'use strict';

const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');

function parseArgs(argv) {
  const args = { tokenLifetime: 3600, pageSize: 1000, delayMs: 0, buckets: [], auth: true };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${flag} needs a value`);
      return argv[++i];
    };
    switch (flag) {
      case '--port': args.port = Number(value()); break;
      case '--root': args.root = value(); break;
      case '--public-key': args.publicKey = fs.readFileSync(value(), 'utf8'); break;
      case '--client-email': args.clientEmail = value(); break;
      case '--token-lifetime': args.tokenLifetime = Number(value()); break;
      case '--page-size': args.pageSize = Number(value()); break;
      case '--delay-ms': args.delayMs = Number(value()); break;
      case '--bucket': args.buckets.push(value()); break;
      case '--no-auth': args.auth = false; break;
      default: throw new Error(`unknown argument ${flag}`);
    }
  }
  if (!args.port || !args.root) throw new Error('--port and --root are required');
  if (args.auth && (!args.publicKey || !args.clientEmail)) {
    throw new Error('--public-key and --client-email are required unless --no-auth');
  }
  return args;
}

const args = parseArgs(process.argv.slice(2));
const tokenUri = `http://127.0.0.1:${args.port}/token`;
const tokens = new Map(); // bearer token -> expiry (ms since the epoch)
const md5s = new Map(); // "bucket/name" -> base64 MD5, remembered from uploads
const stats = { tokens_issued: 0, tokens_refused: 0, requests_refused: 0, requests: 0 };
for (const bucket of args.buckets) fs.mkdirSync(path.join(args.root, bucket), { recursive: true });

// --- answers ------------------------------------------------------------------------------------

function sendJson(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=UTF-8',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

// GCS's error shape: {"error": {"code", "message", "errors": [{"message", "domain", "reason"}]}}.
function sendError(res, status, reason, message, headers = {}) {
  sendJson(res, status, {
    error: { code: status, message, errors: [{ message, domain: 'global', reason }] },
  }, headers);
}

function unauthorized(res, message) {
  stats.requests_refused++;
  sendError(res, 401, 'authError', message, { 'WWW-Authenticate': 'Bearer realm="https://accounts.google.com/"' });
}

// --- the token endpoint -------------------------------------------------------------------------

function decodeSegment(segment) {
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
}

// Why a JWT-bearer assertion is not acceptable, or null when it is.
function checkAssertion(assertion) {
  const parts = (assertion || '').split('.');
  if (parts.length !== 3) return 'Invalid JWT: not three segments.';
  let header, claims;
  try {
    header = decodeSegment(parts[0]);
    claims = decodeSegment(parts[1]);
  } catch {
    return 'Invalid JWT: a segment is not base64url JSON.';
  }
  if (header.alg !== 'RS256') return 'Invalid JWT: alg must be RS256.';
  const signed = crypto.verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`),
    args.publicKey, Buffer.from(parts[2], 'base64url'));
  if (!signed) return 'Invalid JWT Signature.';
  const now = Math.floor(Date.now() / 1000);
  if (claims.iss !== args.clientEmail) return 'Invalid JWT: iss is not a known service account.';
  if (claims.aud !== tokenUri) return 'Invalid JWT: aud must be the token endpoint.';
  if (typeof claims.iat !== 'number' || typeof claims.exp !== 'number' ||
      claims.iat > now + 60 || claims.exp <= now || claims.exp - claims.iat > 3600) {
    return 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable ' +
      'timeframe. Check your iat and exp values in the JWT claim.';
  }
  const scopes = String(claims.scope || '').split(' ');
  if (!scopes.some((s) => /devstorage\.(read_write|full_control)$/.test(s))) {
    return 'Invalid JWT: scope does not allow writing to Cloud Storage.';
  }
  return null;
}

function handleToken(req, res, body) {
  const form = new URLSearchParams(body.toString('utf8'));
  if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
    sendJson(res, 400, { error: 'unsupported_grant_type', error_description: 'Invalid grant_type.' });
    return;
  }
  const problem = checkAssertion(form.get('assertion'));
  if (problem) {
    stats.tokens_refused++;
    sendJson(res, 400, { error: 'invalid_grant', error_description: problem });
    return;
  }
  const token = 'ya29.test-' + crypto.randomBytes(24).toString('base64url');
  tokens.set(token, Date.now() + args.tokenLifetime * 1000);
  stats.tokens_issued++;
  sendJson(res, 200, { access_token: token, expires_in: args.tokenLifetime, token_type: 'Bearer' });
}

function authorized(req, res) {
  if (!args.auth) return true;
  const header = req.headers.authorization || '';
  if (!header.startsWith('Bearer ')) {
    unauthorized(res, 'Anonymous caller does not have storage.objects access to the Google Cloud Storage bucket.');
    return false;
  }
  const expiry = tokens.get(header.slice('Bearer '.length));
  if (expiry === undefined || expiry <= Date.now()) {
    unauthorized(res, 'Invalid Credentials');
    return false;
  }
  return true;
}

// --- objects ------------------------------------------------------------------------------------

const bucketDir = (bucket) => path.join(args.root, bucket);
const objectFile = (bucket, name) => path.join(bucketDir(bucket), encodeURIComponent(name));
const bucketExists = (bucket) => /^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/.test(bucket) &&
  fs.existsSync(bucketDir(bucket));

function objectResource(bucket, name, stat) {
  const key = `${bucket}/${name}`;
  if (!md5s.has(key)) {
    md5s.set(key, crypto.createHash('md5').update(fs.readFileSync(objectFile(bucket, name))).digest('base64'));
  }
  const generation = String(Math.floor(stat.mtimeMs * 1000));
  const when = stat.mtime.toISOString();
  return {
    kind: 'storage#object', id: `${bucket}/${name}/${generation}`, name, bucket, generation,
    metageneration: '1', contentType: 'application/octet-stream', storageClass: 'STANDARD',
    size: String(stat.size), md5Hash: md5s.get(key), timeCreated: when, updated: when,
    etag: generation,
  };
}

function noBucket(res) {
  sendError(res, 404, 'notFound', 'The specified bucket does not exist.');
}

function noObject(res, bucket, name) {
  sendError(res, 404, 'notFound', `No such object: ${bucket}/${name}`);
}

function statObject(bucket, name) {
  try {
    const stat = fs.statSync(objectFile(bucket, name));
    return stat.isFile() ? stat : null;
  } catch {
    return null;
  }
}

function handleUpload(req, res, bucket, query) {
  if (query.get('uploadType') !== 'media') {
    req.resume();
    sendError(res, 400, 'invalid', 'This test server implements uploadType=media only.');
    return;
  }
  const name = query.get('name');
  if (!name) {
    req.resume();
    sendError(res, 400, 'required', 'Required parameter: name');
    return;
  }
  if (!bucketExists(bucket)) {
    req.resume();
    noBucket(res);
    return;
  }
  // Written to a temporary file and renamed: readers never see a partial object.
  const temp = path.join(args.root, `.upload-${crypto.randomBytes(8).toString('hex')}`);
  const out = fs.createWriteStream(temp);
  const md5 = crypto.createHash('md5');
  req.on('data', (block) => md5.update(block));
  req.pipe(out);
  const abandon = () => fs.rm(temp, { force: true }, () => {});
  req.on('aborted', abandon);
  out.on('error', (error) => { abandon(); sendError(res, 500, 'backendError', error.message); });
  out.on('finish', () => {
    if (req.aborted) return;
    const file = objectFile(bucket, name);
    fs.renameSync(temp, file);
    md5s.set(`${bucket}/${name}`, md5.digest('base64'));
    sendJson(res, 200, objectResource(bucket, name, fs.statSync(file)));
  });
}

function handleDownload(req, res, bucket, name, stat) {
  const size = stat.size;
  const range = req.headers.range;
  let start = 0;
  let end = size - 1;
  let status = 200;
  const headers = { 'Content-Type': 'application/octet-stream', 'Accept-Ranges': 'bytes' };
  if (range) {
    const match = /^bytes=(\d+)-(\d*)$/.exec(range);
    if (!match) {
      sendError(res, 400, 'invalid', 'Invalid Range header.');
      return;
    }
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
    if (start >= size || start > end) {
      sendError(res, 416, 'requestedRangeNotSatisfiable', 'Request range not satisfiable',
        { 'Content-Range': `bytes */${size}` });
      return;
    }
    status = 206;
    headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
  }
  headers['Content-Length'] = size === 0 ? 0 : end - start + 1;
  res.writeHead(status, headers);
  if (size === 0) {
    res.end();
    return;
  }
  fs.createReadStream(objectFile(bucket, name), { start, end }).pipe(res);
}

function handleList(res, bucket, query) {
  const prefix = query.get('prefix') || '';
  const pageSize = Math.max(1, Math.min(Number(query.get('maxResults')) || args.pageSize, args.pageSize));
  const after = query.get('pageToken') ? Buffer.from(query.get('pageToken'), 'base64url').toString('utf8') : null;
  const names = fs.readdirSync(bucketDir(bucket))
    .map((file) => decodeURIComponent(file))
    .filter((name) => name.startsWith(prefix) && (after === null || name > after))
    .sort((a, b) => (Buffer.compare(Buffer.from(a), Buffer.from(b))));
  const page = names.slice(0, pageSize);
  const body = { kind: 'storage#objects' };
  if (names.length > pageSize) {
    body.nextPageToken = Buffer.from(page[page.length - 1]).toString('base64url');
  }
  const items = page.map((name) => {
    const stat = statObject(bucket, name);
    return stat && objectResource(bucket, name, stat);
  }).filter(Boolean);
  if (items.length > 0) body.items = items; // GCS leaves out an empty items array
  sendJson(res, 200, body);
}

function handleStorage(req, res, segments, query) {
  // segments after /storage/v1: ['b', BUCKET] or ['b', BUCKET, 'o'] or ['b', BUCKET, 'o', NAME]
  if (segments[0] !== 'b' || segments.length < 2 || segments.length > 4 ||
      (segments.length >= 3 && segments[2] !== 'o')) {
    sendError(res, 404, 'notFound', 'Not Found');
    return;
  }
  const bucket = segments[1];
  if (!bucketExists(bucket)) {
    noBucket(res);
    return;
  }
  if (segments.length === 2 && req.method === 'GET') {
    sendJson(res, 200, { kind: 'storage#bucket', id: bucket, name: bucket, location: 'US' });
    return;
  }
  if (segments.length === 3 && req.method === 'GET') {
    handleList(res, bucket, query);
    return;
  }
  if (segments.length !== 4) {
    sendError(res, 405, 'methodNotAllowed', 'Method not allowed.');
    return;
  }
  const name = segments[3];
  const stat = statObject(bucket, name);
  if (req.method === 'DELETE') {
    if (!stat) {
      noObject(res, bucket, name);
      return;
    }
    fs.rmSync(objectFile(bucket, name));
    md5s.delete(`${bucket}/${name}`);
    res.writeHead(204);
    res.end();
  } else if (req.method === 'GET') {
    if (!stat) {
      noObject(res, bucket, name);
    } else if (query.get('alt') === 'media') {
      handleDownload(req, res, bucket, name, stat);
    } else {
      sendJson(res, 200, objectResource(bucket, name, stat));
    }
  } else {
    sendError(res, 405, 'methodNotAllowed', 'Method not allowed.');
  }
}

function readBody(req, callback) {
  const blocks = [];
  req.on('data', (block) => blocks.push(block));
  req.on('end', () => callback(Buffer.concat(blocks)));
}

function handle(req, res) {
  stats.requests++;
  const url = new URL(req.url, 'http://127.0.0.1');
  // Split the raw path before decoding: an object name is one segment with its '/' as %2F.
  const rawPath = req.url.split('?')[0];
  const segments = rawPath.split('/').slice(1).map((s) => decodeURIComponent(s));
  res.on('finish', () => console.log(`${req.method} ${rawPath} ${res.statusCode}`));
  try {
    if (req.method === 'POST' && rawPath === '/token') {
      readBody(req, (body) => handleToken(req, res, body));
    } else if (req.method === 'GET' && rawPath === '/_test/stats') {
      sendJson(res, 200, stats);
    } else if (!authorized(req, res)) {
      req.resume();
    } else if (req.method === 'POST' && segments.slice(0, 4).join('/') === 'upload/storage/v1/b' &&
               segments.length === 6 && segments[5] === 'o') {
      handleUpload(req, res, segments[4], url.searchParams);
    } else if (segments[0] === 'storage' && segments[1] === 'v1') {
      req.resume();
      handleStorage(req, res, segments.slice(2), url.searchParams);
    } else {
      req.resume();
      sendError(res, 404, 'notFound', 'Not Found');
    }
  } catch (error) {
    console.error(error);
    if (!res.headersSent) sendError(res, 500, 'backendError', 'Internal error.');
  }
}

const server = http.createServer((req, res) => {
  const storage = !req.url.startsWith('/token') && !req.url.startsWith('/_test/');
  if (storage && args.delayMs > 0) {
    req.pause();
    setTimeout(() => handle(req, res), args.delayMs);
  } else {
    handle(req, res);
  }
});

server.listen(args.port, '127.0.0.1', () => {
  console.log(`gcs test server on http://127.0.0.1:${args.port}, root ${args.root}`);
});
