#pragma once

#include <mlv/remote/object_store.hpp>

#include <memory>
#include <string>

namespace mlv::remote {

// An http:// or https:// folder as a remote: GET/HEAD/DELETE on any web server, writes with PUT
// (to a temporary name, then MOVE, on WebDAV servers) and listings with WebDAV PROPFIND.
// Options: `user`, `password`, `token`, `header_<Name>`, and the engine's (`ca_bundle`,
// `verify_tls`, `timeout`, `retries`, ...). See docs/remote-http.md.
std::unique_ptr<ObjectStore> make_http_store(const std::string& url, const Options& options);

} // namespace mlv::remote
