#include <mlv/remote/azure_account.hpp>
#include <mlv/remote/azure_shared_key.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>

using namespace mlv::remote;
using namespace mlv::remote::azure;

namespace {

// 2009-10-11 21:49:13 UTC, the moment of Microsoft's own examples.
const auto k_example_time = std::chrono::system_clock::from_time_t(1255297753);

std::string header(const HttpRequest& request, const std::string& name) {
  const auto it = std::find_if(request.headers.begin(), request.headers.end(),
                               [&](const auto& h) { return h.first == name; });
  return it == request.headers.end() ? std::string("<none>") : it->second;
}

TEST(AzureBase64, RoundTripsAndRejectsNonBase64) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("block-00000001"), "YmxvY2stMDAwMDAwMDE=");
  EXPECT_EQ(base64_decode("Zm8="), "fo");
  EXPECT_EQ(base64_decode("Zm8"), "fo");
  EXPECT_EQ(base64_decode("YmxvY2stMDAwMDAwMDE="), "block-00000001");
  EXPECT_EQ(base64_decode("not base64!"), std::nullopt);
  EXPECT_EQ(base64_decode("Z"), std::nullopt);
  const auto key = base64_decode(k_dev_key);
  ASSERT_TRUE(key);
  EXPECT_EQ(key->size(), 64U);
  EXPECT_EQ(base64_encode(*key), k_dev_key);
}

TEST(AzureSharedKey, HttpDateIsRfc1123InGmt) {
  EXPECT_EQ(http_date(k_example_time), "Sun, 11 Oct 2009 21:49:13 GMT");
}

// Microsoft's canonicalized-resource examples: parameters lower-cased, sorted, repeated values
// joined with ',' in sorted order.
TEST(AzureSharedKey, CanonicalizedResourceSortsAndJoinsQueryParameters) {
  const auto text =
      string_to_sign("GET",
                     "https://myaccount.blob.core.windows.net/mycontainer?restype=container&comp="
                     "list&include=snapshots&include=metadata&include=uncommittedblobs",
                     {}, "myaccount");
  EXPECT_TRUE(text.ends_with("\n/myaccount/mycontainer\ncomp:list\n"
                             "include:metadata,snapshots,uncommittedblobs\nrestype:container"))
      << text;
  const auto metadata = string_to_sign(
      "GET", "http://myaccount.blob.core.windows.net/mycontainer?restype=container&comp=metadata",
      {}, "myaccount");
  EXPECT_TRUE(metadata.ends_with("\n/myaccount/mycontainer\ncomp:metadata\nrestype:container"));
}

// A worked example built by hand from the documented rules: a ranged GET on Azurite's path-style
// endpoint (so the account appears twice), with an escaped blob name. The signature was computed
// independently with Python's hmac module over the string shown.
TEST(AzureSharedKey, WorkedExampleOfARangedGetOnAPathStyleEndpoint) {
  HttpRequest request;
  request.method = "GET";
  request.url = "http://127.0.0.1:10000/devstoreaccount1/models/team%20a/packs/ab/abcd";
  request.range = Range{1024, 1024};
  sign_shared_key(request, k_dev_account, k_dev_key, k_example_time);

  Headers as_sent = request.headers;
  as_sent.emplace_back("Range", "bytes=1024-2047");
  EXPECT_EQ(string_to_sign("GET", request.url, as_sent, k_dev_account),
            "GET\n\n\n\n\n\n\n\n\n\n\nbytes=1024-2047\n"
            "x-ms-date:Sun, 11 Oct 2009 21:49:13 GMT\nx-ms-version:2021-08-06\n"
            "/devstoreaccount1/devstoreaccount1/models/team%20a/packs/ab/abcd");
  EXPECT_EQ(header(request, "x-ms-date"), "Sun, 11 Oct 2009 21:49:13 GMT");
  EXPECT_EQ(header(request, "x-ms-version"), "2021-08-06");
  EXPECT_EQ(header(request, "Authorization"),
            "SharedKey devstoreaccount1:zKZ4BybiVBEhMBRoxwo/IQXDH1DpD2OsZzgi990+uz8=");
}

// Put Block: Content-Length comes from the body, x-ms-* headers are sorted by lower-cased name,
// and the base64 block id is percent-decoded in the canonicalized resource.
TEST(AzureSharedKey, WorkedExampleOfAPutBlock) {
  const std::string body = "hello world";
  HttpRequest request;
  request.method = "PUT";
  request.url = "https://myaccount.blob.core.windows.net/mycontainer/a/b?comp=block&blockid="
                "AAAAAQ%3D%3D";
  request.headers = {{"X-MS-Blob-Type", " BlockBlob "},
                     {"Content-Type", "application/octet-stream"}};
  request.body = Body::of(body);
  sign_shared_key(request, "myaccount", k_dev_key, k_example_time);
  EXPECT_EQ(header(request, "Authorization"),
            "SharedKey myaccount:oPF2IptD28GOxLT9/5HSdiYdBWSu1RM8rirgkn6IbzM=");
}

TEST(AzureSharedKey, ZeroContentLengthSignsAsEmpty) {
  const auto text =
      string_to_sign("PUT", "https://a.blob.core.windows.net/c/k", {{"Content-Length", "0"}}, "a");
  EXPECT_EQ(text, "PUT\n\n\n\n\n\n\n\n\n\n\n\n/a/c/k");
}

TEST(AzureSharedKey, ResigningReplacesTheEarlierAttemptsHeaders) {
  HttpRequest request;
  request.method = "HEAD";
  request.url = "https://a.blob.core.windows.net/c/k";
  sign_shared_key(request, "a", k_dev_key, k_example_time);
  const auto first = header(request, "Authorization");
  sign_shared_key(request, "a", k_dev_key, k_example_time + std::chrono::seconds(5));
  EXPECT_EQ(request.headers.size(), 3U);
  EXPECT_NE(header(request, "Authorization"), first);
  EXPECT_EQ(header(request, "x-ms-date"), "Sun, 11 Oct 2009 21:49:18 GMT");
}

} // namespace
