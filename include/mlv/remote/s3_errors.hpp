#pragma once

#include <mlv/remote/http_engine.hpp>
#include <mlv/util/error.hpp>

#include <string>
#include <string_view>

namespace mlv::remote::s3 {

// The Error(remote) for a failed S3 request: names the remote (`display_url`), what was being
// done (`action`, e.g. "PUT packs/ab/ab12..."), the HTTP status and the S3 error code from the
// response body, with a hint for the codes a user can fix (a missing bucket, refused or wrong
// credentials, a wrong region: named when the x-amz-bucket-region header tells it). Never quotes
// a request header or anything secret.
Error request_error(const std::string& display_url,
                    const std::string& action,
                    const HttpResponse& response);

// Whether a response body names this S3 error code.
bool has_error_code(std::string_view body, std::string_view code);

} // namespace mlv::remote::s3
