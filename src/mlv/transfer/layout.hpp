#pragma once

#include <mlv/transfer/meter.hpp>
#include <mlv/transfer/remote_manifest.hpp>
#include <mlv/transfer/transfer.hpp>

#include <optional>
#include <set>
#include <string>

namespace mlv::transfer {

// The id in an object key "<kind>/<2 hex>/<id>" ("manifests", ...); nothing for any other key (a
// stray file someone left, which is not mlv's).
std::optional<std::string> id_of_key(const std::string& kind, const std::string& key);

// Reads a small object whole; Error(missing) naming it when it is absent.
std::string read_object(RemoteHandle remote, const std::string& key, Meter& meter);

// The key under which the state database records the packs a folder's bundle points into, beside
// the file ids whose manifests' packs it records.
std::string bundle_record(const std::string& dir_id);
// Records that folder `dir_id`'s bundle on the remote points into `packs` (state key
// bundle_record(dir_id)), for the next presence check.
void record_bundle_packs(cache::StateDb& state,
                         const std::string& remote_key,
                         const std::string& dir_id,
                         const std::set<std::string>& packs);

// Reads a folder's bundle from the remote, checks that it is the bundle of `dir_id`, and records
// where its chunks live and which packs it points into. Nothing when it is absent (a folder
// pushed before bundles, or not pushed); Error(bad_input) when it is damaged.
std::optional<Bundle>
read_bundle(cache::Cache& cache, RemoteHandle remote, const std::string& dir_id, Meter& meter);

// Which of `ids` have their object "<kind>/<2 hex>/<id>" ("packs", "manifests", "bundles",
// "dirs") on the
// remote: a key prefix that two or more ids share is listed (one request for up to 1,000 keys),
// any other id gets a HEAD, in parallel on `jobs` threads.
std::set<std::string> keys_on_remote(RemoteHandle remote,
                                     const std::string& kind,
                                     const std::set<std::string>& ids,
                                     unsigned jobs,
                                     Meter& meter);

// Which of these packs the remote holds; with `verify`, only those whose bytes, read whole and
// hashed, match their id (a damaged pack counts as absent).
std::set<std::string> packs_on_remote(RemoteHandle remote,
                                      const std::set<std::string>& packs,
                                      unsigned jobs,
                                      bool verify,
                                      Meter& meter);

// present_on_remote() (transfer.hpp), counting its requests in `meter`.
std::set<std::string> confirm_on_remote(cache::Cache& cache,
                                        RemoteHandle remote,
                                        const std::set<std::string>& file_ids,
                                        const std::set<std::string>& dir_ids,
                                        unsigned jobs,
                                        bool verify,
                                        Meter& meter);

// Checks mlv-remote.yaml: an unknown layout version is Error(remote). Returns the remote's id
// (empty for a remote made before layout files carried one), or nothing when the file is absent.
// With `create`, writes the file when it is absent (or lacks an id) and returns the new id;
// without, an absent file on a store whose location does not exist (a folder that is not there)
// is Error(remote) naming the URL.
std::optional<std::string> check_layout(RemoteHandle remote, bool create, Meter& meter);

// Makes the state database's record of a remote agree with its layout file: a missing file or an
// id other than the one recorded (the remote was deleted or made again) drops the record.
void reconcile_remote_record(cache::StateDb& state,
                             const std::string& state_key,
                             const std::optional<std::string>& remote_id);

} // namespace mlv::transfer
