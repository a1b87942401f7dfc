#pragma once

#include <mlv/transfer/meter.hpp>
#include <mlv/transfer/transfer.hpp>

#include <optional>
#include <string>

namespace mlv::transfer {

// The id in an object key "<kind>/<2 hex>/<id>" ("manifests", ...); nothing for any other key (a
// stray file someone left, which is not mlv's).
std::optional<std::string> id_of_key(const std::string& kind, const std::string& key);

// Reads a small object whole; Error(missing) naming it when it is absent.
std::string read_object(RemoteHandle remote, const std::string& key, Meter& meter);

// Checks mlv-remote.yaml: an unknown layout version is Error(remote). When it is absent, writes
// it if `create`. Returns whether it was there.
bool check_layout(RemoteHandle remote, bool create, Meter& meter);

} // namespace mlv::transfer
