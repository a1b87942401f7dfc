#include <mlv/remote/s3_errors.hpp>
#include <mlv/remote/s3_xml.hpp>

#include <algorithm>
#include <array>

namespace mlv::remote::s3 {

namespace {

// S3 messages are short sentences; a longer one is not worth a terminal line.
constexpr std::size_t k_max_message_length = 200;

constexpr std::array<std::string_view, 8> k_credential_codes = {
    "AccessDenied", "InvalidAccessKeyId",   "SignatureDoesNotMatch", "ExpiredToken",
    "InvalidToken", "TokenRefreshRequired", "AllAccessDisabled",     "InvalidSecurity"};
constexpr std::array<std::string_view, 4> k_region_codes = {
    "PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException",
    "TemporaryRedirect"};

bool is_one_of(std::string_view code, const auto& codes) {
  return std::find(codes.begin(), codes.end(), code) != codes.end();
}

std::string status_text(long status) {
  switch (status) {
  case 301:
    return "HTTP 301 Moved Permanently";
  case 400:
    return "HTTP 400 Bad Request";
  case 401:
    return "HTTP 401 Unauthorized";
  case 403:
    return "HTTP 403 Forbidden";
  case 404:
    return "HTTP 404 Not Found";
  case 409:
    return "HTTP 409 Conflict";
  case 416:
    return "HTTP 416 Range Not Satisfiable";
  default:
    return "HTTP " + std::to_string(status);
  }
}

std::string hint_for(std::string_view code, long status, const std::string& bucket_region) {
  if (code == "NoSuchBucket") {
    return "create the bucket (e.g. `aws s3 mb s3://BUCKET`), or fix the bucket in the remote's "
           "URL, its endpointurl and region";
  }
  if (code == "SignatureDoesNotMatch") {
    return "the secret access key does not belong to the access key id: check "
           "remote.NAME.secret_access_key in .mlv/config.local, AWS_SECRET_ACCESS_KEY, or the "
           "profile in ~/.aws/credentials";
  }
  if (code == "InvalidAccessKeyId") {
    return "the server does not know this access key id: check remote.NAME.access_key_id in "
           ".mlv/config.local, AWS_ACCESS_KEY_ID, or the profile in ~/.aws/credentials";
  }
  if (code == "ExpiredToken" || code == "InvalidToken" || code == "TokenRefreshRequired") {
    return "the session token has expired or is wrong: get fresh temporary credentials";
  }
  if (is_one_of(code, k_credential_codes) || status == 401 || status == 403) {
    return "check that the credentials mlv uses (remote.NAME.access_key_id, AWS_ACCESS_KEY_ID, "
           "or the AWS profile) may read and write this bucket and prefix";
  }
  if (is_one_of(code, k_region_codes) || status == 301 || !bucket_region.empty()) {
    return "the bucket lives in " +
           (bucket_region.empty() ? std::string("another region") : "region " + bucket_region) +
           ": set it with `mlv remote modify NAME region " +
           (bucket_region.empty() ? std::string("REGION") : bucket_region) + "`";
  }
  return "check the remote's URL and endpointurl, and retry";
}

} // namespace

bool has_error_code(std::string_view body, std::string_view code) {
  return parse_error(body).code == code;
}

Error request_error(const std::string& display_url,
                    const std::string& action,
                    const HttpResponse& response) {
  const long status = response.status;
  const auto error = parse_error(response.body);
  // S3 names the bucket's region on a redirect or a malformed-authorization answer.
  std::string bucket_region;
  if (const auto found = response.headers.find("x-amz-bucket-region");
      found != response.headers.end() && (status == 301 || status == 400)) {
    bucket_region = found->second;
  }
  std::string message = display_url + ": " + action + " failed: " + status_text(status);
  if (!error.code.empty()) {
    message += " (" + error.code + ")";
  }
  if (!error.message.empty()) {
    message += ": " + error.message.substr(0, k_max_message_length);
  }
  if (error.code == "NoSuchBucket") {
    message =
        display_url + ": the bucket does not exist (" + status_text(status) + ", NoSuchBucket)";
  }
  return Error(Failure::remote, message, hint_for(error.code, status, bucket_region));
}

} // namespace mlv::remote::s3
