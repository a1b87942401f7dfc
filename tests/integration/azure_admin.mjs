// What the Azure tests need done on Azurite that mlv itself never does: create a container,
// make a container SAS, and look at blobs from outside mlv. Node built-ins only; Shared Key
// and service-SAS signatures follow Microsoft's documented string-to-sign rules.
//
// Usage: node azure_admin.mjs ENDPOINT ACCOUNT KEY COMMAND ARGS...
//   create-container NAME              -> exit 0 once it exists
//   sas NAME PERMISSIONS MINUTES       -> prints a container SAS query (sv=...&sig=...)
//   list NAME                          -> prints "name size" per blob
//   committed-blocks NAME BLOB         -> prints the number of committed blocks of a blob
import { createHmac } from "node:crypto";
import http from "node:http";

const [endpoint, account, key, command, ...args] = process.argv.slice(2);
const version = "2021-08-06";
const keyBytes = Buffer.from(key, "base64");
const sign = (text) => createHmac("sha256", keyBytes).update(text, "utf8").digest("base64");

function request(method, path, query) {
  const url = new URL(endpoint + path + (query ? "?" + query : ""));
  const date = new Date().toUTCString();
  const params = [...url.searchParams.entries()]
    .map(([k, v]) => [k.toLowerCase(), v])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const canonical =
    `/${account}${url.pathname}` + params.map(([k, v]) => `\n${k}:${v}`).join("");
  const toSign = `${method}\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:${date}\nx-ms-version:${version}\n${canonical}`;
  const headers = {
    "x-ms-date": date,
    "x-ms-version": version,
    "Content-Length": "0",
    Authorization: `SharedKey ${account}:${sign(toSign)}`,
  };
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      let body = "";
      res.on("data", (chunk) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

function fail(message) {
  console.error(`azure_admin ${command}: ${message}`);
  process.exit(1);
}

async function main() {
  if (command === "create-container") {
    const response = await request("PUT", `/${args[0]}`, "restype=container");
    if (response.status !== 201 && response.status !== 409) {
      fail(`HTTP ${response.status}: ${response.body}`);
    }
  } else if (command === "sas") {
    const [container, permissions, minutes] = args;
    const expiry = new Date(Date.now() + Number(minutes) * 60000).toISOString().slice(0, 19) + "Z";
    // Service SAS, version 2020-12-06 and later: sp, st, se, resource, si, sip, spr, sv, sr,
    // snapshot time, encryption scope, then the five response-header overrides.
    const fields = [permissions, "", expiry, `/blob/${account}/${container}`, "", "", "", version,
      "c", "", "", "", "", "", "", ""];
    const query = new URLSearchParams({ sv: version, sr: "c", sp: permissions, se: expiry,
      sig: sign(fields.join("\n")) });
    console.log(query.toString());
  } else if (command === "list") {
    const response = await request("GET", `/${args[0]}`, "restype=container&comp=list");
    if (response.status !== 200) {
      fail(`HTTP ${response.status}: ${response.body}`);
    }
    for (const blob of response.body.matchAll(/<Blob>.*?<Name>(.*?)<\/Name>.*?<Content-Length>(\d+)<\/Content-Length>.*?<\/Blob>/gs)) {
      console.log(`${blob[1]} ${blob[2]}`);
    }
  } else if (command === "committed-blocks") {
    const response = await request("GET", `/${args[0]}/${args[1]}`, "comp=blocklist&blocklisttype=committed");
    if (response.status !== 200) {
      fail(`HTTP ${response.status}: ${response.body}`);
    }
    console.log((response.body.match(/<Block>/g) || []).length);
  } else {
    fail("unknown command");
  }
}

main().catch((error) => fail(error.message));
