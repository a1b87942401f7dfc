#!/usr/bin/env node
// A reverse proxy for fault tests: it listens on 127.0.0.1:PORT, forwards every request unchanged
// to 127.0.0.1:TARGET_PORT (method, path, query, headers including Host, so signatures still
// match; bodies streamed both ways; keep-alive on both sides), and fails a share of them the way
// networks and object stores really fail. Node built-ins only.
//
//   node fault_proxy.js --port P --target-port T [--fail-rate 0.2]
//        [--modes 503,429,reset,stall,midbody] [--seed 1] [--max-consecutive 3] [--log FILE]
//
// Modes, picked per failed request from a seeded generator (the same seed gives the same
// sequence of fates by arrival order):
//   503      an S3-style XML error (Code SlowDown), after reading the request body
//   429      Too Many Requests with Retry-After: 1 and an XML error body
//   reset    the client's socket is destroyed as soon as the request head arrives
//   stall    the request body is read, then nothing is ever answered; the socket stays open
//            until the client gives up (or the proxy stops)
//   midbody  the request goes to the target (so a PUT takes effect); the client gets the response
//            head and half of the body, then the socket is destroyed. A response without a body
//            (PUT, HEAD, DELETE) is lost whole instead: the socket is destroyed before the head.
// Never more than --max-consecutive failures in a row, counted both over all requests and per
// request (method and URL, Range ignored, so a retry that resumes a range counts as the same
// request): a client that retries at least that many times always gets through.
//
// The log file gets one line per request, written when its fate is settled:
//   <seq> <fate> <method> <url> <status or -> <milliseconds>
// where fate is forward, 503, 429, reset, stall or midbody. On SIGTERM or SIGINT the proxy prints
// the counts per fate on stdout ("fault_proxy: requests=N forward=N 503=N ...") and exits 0.
"use strict";

const fs = require("node:fs");
const http = require("node:http");

const k_modes = ["503", "429", "reset", "stall", "midbody"];
const k_target_host = "127.0.0.1";

function parse_args(argv) {
  const args = {
    port: 0,
    target_port: 0,
    fail_rate: 0.2,
    modes: k_modes.slice(),
    seed: 1,
    max_consecutive: 3,
    log: "",
  };
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i];
    const value = argv[i + 1];
    if (value === undefined) usage(`${name} needs a value`);
    switch (name) {
      case "--port": args.port = parse_int(name, value); break;
      case "--target-port": args.target_port = parse_int(name, value); break;
      case "--fail-rate": args.fail_rate = Number(value); break;
      case "--modes": args.modes = value.split(",").filter((m) => m !== ""); break;
      case "--seed": args.seed = parse_int(name, value); break;
      case "--max-consecutive": args.max_consecutive = parse_int(name, value); break;
      case "--log": args.log = value; break;
      default: usage(`unknown option ${name}`);
    }
  }
  if (!args.target_port) usage("--target-port is required");
  if (!(args.fail_rate >= 0 && args.fail_rate <= 1)) usage("--fail-rate must be within 0..1");
  for (const mode of args.modes) {
    if (!k_modes.includes(mode)) usage(`unknown mode ${mode} (known: ${k_modes.join(",")})`);
  }
  if (args.fail_rate > 0 && args.modes.length === 0) usage("--modes is empty");
  return args;
}

function parse_int(name, value) {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) usage(`${name} must be a non-negative integer`);
  return number;
}

function usage(message) {
  process.stderr.write(`fault_proxy: ${message}\n`);
  process.exit(2);
}

// mulberry32: a tiny seeded generator, so a failing run can be replayed with its seed.
function make_random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Decides each request's fate in arrival order, within the consecutive-failure limits.
class FatePlanner {
  constructor(args) {
    this.args = args;
    this.random = make_random(args.seed);
    this.in_a_row = 0;
    this.per_request = new Map(); // "METHOD url" -> failures in a row
  }

  next(key) {
    // Draw both numbers every time, so the sequence does not depend on the limits.
    const roll = this.random();
    const pick = this.random();
    const failed_before = this.per_request.get(key) || 0;
    const limit = this.args.max_consecutive;
    if (roll >= this.args.fail_rate || this.in_a_row >= limit || failed_before >= limit) {
      this.in_a_row = 0;
      this.per_request.delete(key);
      return "forward";
    }
    this.in_a_row += 1;
    this.per_request.set(key, failed_before + 1);
    return this.args.modes[Math.floor(pick * this.args.modes.length)];
  }
}

function xml_error(code, message) {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${code}</Code><Message>${message}</Message>` +
    "<RequestId>fault-proxy</RequestId></Error>\n"
  );
}

function main() {
  const args = parse_args(process.argv.slice(2));
  const planner = new FatePlanner(args);
  const log_fd = args.log ? fs.openSync(args.log, "a") : null;
  const counts = { requests: 0 };
  for (const fate of ["forward", ...k_modes]) counts[fate] = 0;
  const sockets = new Set();
  const upstream_agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  let seq = 0;

  function log(id, fate, req, status, started) {
    counts[fate] += 1;
    if (log_fd === null) return;
    const line = `${id} ${fate} ${req.method} ${req.url} ${status} ${Date.now() - started}\n`;
    fs.writeSync(log_fd, line);
  }

  function answer_error(id, fate, req, res, started) {
    const status = fate === "503" ? 503 : 429;
    const body =
      fate === "503"
        ? xml_error("SlowDown", "Please reduce your request rate (injected by fault_proxy).")
        : xml_error("TooManyRequests", "Too many requests (injected by fault_proxy).");
    const headers = {
      "Content-Type": "application/xml",
      "Content-Length": Buffer.byteLength(body),
    };
    if (fate === "429") headers["Retry-After"] = "1";
    const reply = () => {
      res.writeHead(status, headers);
      res.end(req.method === "HEAD" ? undefined : body);
      log(id, fate, req, status, started);
    };
    // A client waiting for 100-continue is refused before it sends the body, as a real server
    // does; otherwise the body is read first, so the connection stays usable.
    if (req.headers.expect) {
      reply();
      return;
    }
    req.resume();
    req.on("end", reply);
  }

  // Forwards the request; with `cut`, the response is broken off halfway (midbody).
  function forward(id, fate, req, res, started) {
    // As received: names, order, Host and all. A request without a body (WebDAV's MKCOL) gets
    // an explicit empty one, or Node would send it chunked, which nginx refuses for MKCOL (415).
    const headers = req.rawHeaders.slice();
    if (!("content-length" in req.headers) && !("transfer-encoding" in req.headers)) {
      headers.push("Content-Length", "0");
    }
    const upstream = http.request({
      host: k_target_host,
      port: args.target_port,
      method: req.method,
      path: req.url,
      headers,
      agent: upstream_agent,
    });
    let settled = false;
    const settle = (status) => {
      if (!settled) {
        settled = true;
        log(id, fate, req, status, started);
      }
    };
    upstream.on("error", (error) => {
      if (!res.headersSent && !res.destroyed) {
        const body = xml_error("BadGateway", `fault_proxy: target unreachable (${error.code})`);
        res.writeHead(502, { "Content-Type": "application/xml" });
        res.end(body);
        settle(502);
      } else {
        res.destroy();
        settle("-");
      }
    });
    // The client went away (it gave up, or we cut it off): stop talking to the target too.
    res.on("close", () => {
      if (!res.writableFinished) upstream.destroy();
      settle("-");
    });
    upstream.on("response", (answer) => {
      if (fate === "midbody") {
        cut_response(answer, req, res, () => settle(answer.statusCode));
        return;
      }
      res.writeHead(answer.statusCode, answer.statusMessage, answer.rawHeaders);
      answer.pipe(res);
      answer.on("end", () => settle(answer.statusCode));
    });
    req.pipe(upstream);
  }

  // Sends the response head and half of the body, then destroys the socket; a response without
  // a body is dropped whole (the request took effect, the answer never arrives).
  function cut_response(answer, req, res, done) {
    const length = Number(answer.headers["content-length"] || "0");
    const chunked = /chunked/i.test(answer.headers["transfer-encoding"] || "");
    if (req.method === "HEAD" || (!chunked && length < 2)) {
      answer.resume();
      answer.on("end", () => {
        done();
        req.socket.destroy();
      });
      return;
    }
    res.writeHead(answer.statusCode, answer.statusMessage, answer.rawHeaders);
    let left = chunked ? -1 : Math.floor(length / 2);
    answer.on("data", (block) => {
      if (left === 0) return;
      const part = left < 0 ? block.subarray(0, Math.ceil(block.length / 2)) : block.subarray(0, left);
      left = left < 0 ? 0 : left - part.length;
      if (left === 0) {
        answer.destroy();
        res.write(part, () => {
          done();
          req.socket.destroy();
        });
      } else {
        res.write(part);
      }
    });
  }

  function handle(req, res) {
    const id = ++seq;
    counts.requests += 1;
    const started = Date.now();
    const fate = planner.next(`${req.method} ${req.url}`);
    switch (fate) {
      case "forward":
      case "midbody":
        if (req.headers.expect) res.writeContinue();
        forward(id, fate, req, res, started);
        break;
      case "503":
      case "429":
        answer_error(id, fate, req, res, started);
        break;
      case "reset":
        log(id, fate, req, "-", started);
        req.socket.destroy();
        break;
      case "stall":
        log(id, fate, req, "-", started);
        if (req.headers.expect) res.writeContinue();
        req.resume(); // take the body, answer nothing
        break;
    }
  }

  const server = http.createServer();
  // Long uploads and stalls are the point here: no server-side time limits.
  server.requestTimeout = 0;
  server.headersTimeout = 0;
  server.keepAliveTimeout = 30_000;
  server.on("request", handle);
  // Answer 100-continue only for requests that will be read (see handle()).
  server.on("checkContinue", handle);
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.on("clientError", (_error, socket) => socket.destroy());

  const stop = () => {
    const fields = ["requests", "forward", ...k_modes].map((name) => `${name}=${counts[name]}`);
    process.stdout.write(`fault_proxy: ${fields.join(" ")}\n`);
    if (log_fd !== null) fs.closeSync(log_fd);
    for (const socket of sockets) socket.destroy();
    upstream_agent.destroy();
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 500).unref();
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);

  server.listen(args.port, "127.0.0.1", () => {
    const address = server.address();
    process.stdout.write(
      `fault_proxy: 127.0.0.1:${address.port} -> ${k_target_host}:${args.target_port} ` +
        `fail-rate=${args.fail_rate} modes=${args.modes.join(",")} seed=${args.seed} ` +
        `max-consecutive=${args.max_consecutive}\n`
    );
  });
}

main();
