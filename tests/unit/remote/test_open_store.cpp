#include <mlv/remote/object_store.hpp>
#include <mlv/util/error.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

namespace fs = std::filesystem;
using mlv::Error;
using mlv::Failure;
using mlv::remote::open_store;
using mlv::remote::redact_url;

namespace {

TEST(OpenStore, PlainPathsAndFileUrlsOpenTheSameFolder) {
  const auto root =
      fs::temp_directory_path() / ("mlv-open-store-" + std::to_string(std::random_device{}()));
  const std::string text = "abc";
  open_store(root.string(), {})->put("manifests/ab/ab", std::as_bytes(std::span(text)));
  EXPECT_TRUE(open_store("file://" + root.string(), {})->exists("manifests/ab/ab"));
  fs::remove_all(root);
}

TEST(OpenStore, RejectsUnknownSchemesAndRelativeFileUrls) {
  try {
    open_store("ftp://user:secret@example.com/models", {});
    FAIL() << "ftp is not a supported scheme";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), Failure::invalid_input);
    const std::string message = error.what();
    EXPECT_NE(message.find("ftp"), std::string::npos);
    EXPECT_EQ(message.find("secret"), std::string::npos);
  }
  EXPECT_THROW(open_store("file://relative/path", {}), Error);
  EXPECT_THROW(open_store("", {}), Error);
}

TEST(RedactUrl, HidesPasswordsButKeepsTheUserAndHost) {
  EXPECT_EQ(redact_url("https://alice:hunter2@dav.example.com/models"),
            "https://alice:***@dav.example.com/models");
  EXPECT_EQ(redact_url("https://ghp_token123@example.com/x"), "https://***@example.com/x");
  EXPECT_EQ(redact_url("s3://bucket/prefix"), "s3://bucket/prefix");
  EXPECT_EQ(redact_url("/mnt/share/remote"), "/mnt/share/remote");
}

TEST(RedactUrl, HidesSignedUrlAndSasParameters) {
  const auto s3 = redact_url("https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256"
                             "&X-Amz-Credential=AKIAEXAMPLE%2F2026&X-Amz-Signature=deadbeef"
                             "&X-Amz-Security-Token=FQoG");
  EXPECT_EQ(s3, "https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256"
                "&X-Amz-Credential=***&X-Amz-Signature=***&X-Amz-Security-Token=***");
  const auto sas = redact_url(
      "https://acct.blob.core.windows.net/c?sv=2022-11-02&sp=rl&se=2026-01-01&sig=abc%3D");
  EXPECT_EQ(sas, "https://acct.blob.core.windows.net/c?sv=***&sp=***&se=***&sig=***");
  EXPECT_EQ(redact_url("https://h/x?token=t0k&page=2"), "https://h/x?token=***&page=2");
  // Parameters that merely end like a secret name are kept.
  EXPECT_EQ(redact_url("https://h/x?design=1"), "https://h/x?design=1");
}

} // namespace
