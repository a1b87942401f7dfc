#pragma once

#include <mlv/remote/object_store.hpp>

#include <memory>
#include <string>

namespace mlv::remote {

// An S3 bucket, or a prefix in one, as a remote: `s3://BUCKET[/PREFIX]` on AWS or on any
// S3-compatible server (`endpointurl`). Requests are signed with Signature Version 4 and go
// through the shared HTTP engine. Options and credentials: docs/remote-s3.md. Credentials are
// looked up at the first request, so opening a store never fails for want of them.
std::unique_ptr<ObjectStore> make_s3_store(const std::string& url, const Options& options);

} // namespace mlv::remote
