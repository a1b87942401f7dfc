#include <mlv/remote/s3_errors.hpp>

#include <gtest/gtest.h>

using namespace mlv::remote;
using namespace mlv::remote::s3;
using mlv::Failure;

namespace {

HttpResponse
answer(long status, std::string body, std::map<std::string, std::string> headers = {}) {
  return HttpResponse{status, std::move(headers), std::move(body), 0};
}

std::string error_body(const std::string& code, const std::string& message) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>" +
         message +
         "</Message><AWSAccessKeyId>AKIDSECRETISH</AWSAccessKeyId>"
         "<StringToSign>AWS4-HMAC-SHA256 ...</StringToSign></Error>";
}

TEST(S3Errors, AMissingBucketIsOneClearSentence) {
  const auto error =
      request_error("s3://nope/team", "PUT packs/ab/ab12",
                    answer(404, error_body("NoSuchBucket", "The specified bucket does not exist")));
  EXPECT_EQ(error.kind(), Failure::remote);
  EXPECT_EQ(std::string(error.what()),
            "s3://nope/team: the bucket does not exist (HTTP 404 Not Found, NoSuchBucket)");
  EXPECT_NE(error.hint().find("create the bucket"), std::string::npos);
}

TEST(S3Errors, CredentialFailuresNameTheCodeAndWhatToCheck) {
  const auto wrong_secret =
      request_error("s3://b", "GET manifests/ab/ab12",
                    answer(403, error_body("SignatureDoesNotMatch",
                                           "The request signature we calculated does not match")));
  const std::string message = wrong_secret.what();
  EXPECT_NE(message.find("s3://b"), std::string::npos);
  EXPECT_NE(message.find("SignatureDoesNotMatch"), std::string::npos);
  EXPECT_NE(message.find("HTTP 403"), std::string::npos);
  EXPECT_EQ(message.find("AKIDSECRETISH"), std::string::npos) << "no key ids from the body";
  EXPECT_EQ(message.find("StringToSign"), std::string::npos);
  EXPECT_NE(wrong_secret.hint().find("secret_access_key"), std::string::npos);

  const auto unknown_key = request_error("s3://b", "list the bucket",
                                         answer(403, error_body("InvalidAccessKeyId", "unknown")));
  EXPECT_NE(unknown_key.hint().find("access_key_id"), std::string::npos);
  const auto denied = request_error("s3://b", "HEAD k", answer(403, ""));
  EXPECT_NE(std::string(denied.what()).find("HTTP 403 Forbidden"), std::string::npos);
  EXPECT_NE(denied.hint().find("credentials"), std::string::npos);
}

TEST(S3Errors, AWrongRegionSaysWhichOneToSet) {
  const auto unnamed =
      request_error("s3://b", "list the bucket",
                    answer(301, error_body("PermanentRedirect", "use the endpoint")));
  EXPECT_NE(unnamed.hint().find("another region"), std::string::npos);
  const auto named =
      request_error("s3://b", "HEAD k", answer(301, "", {{"x-amz-bucket-region", "eu-central-1"}}));
  EXPECT_NE(named.hint().find("mlv remote modify NAME region eu-central-1"), std::string::npos)
      << named.hint();
  EXPECT_TRUE(has_error_code(error_body("NoSuchKey", "x"), "NoSuchKey"));
  EXPECT_FALSE(has_error_code("", "NoSuchKey"));
}

} // namespace
