#pragma once

#include <mlv/remote/object_store.hpp>

#include <memory>
#include <string>

namespace mlv::remote {

// A Google Cloud Storage bucket as a remote, `gs://BUCKET[/PREFIX]`, over the JSON API
// (docs/remote-gcs.md): OAuth2 tokens from a service-account key or a given token; the endpoint
// from option endpointurl or STORAGE_EMULATOR_HOST. Throws Error(bad_input) for a malformed URL
// or option value; credentials are read on first use.
std::unique_ptr<ObjectStore> make_gcs_store(const std::string& url, const Options& options);

} // namespace mlv::remote
