#include <mlv/remote/s3_xml.hpp>
#include <mlv/util/error.hpp>

#include <gtest/gtest.h>

using namespace mlv::remote::s3;

namespace {

constexpr const char* k_page = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>bucket</Name>
  <Prefix>team/packs/</Prefix>
  <KeyCount>2</KeyCount>
  <MaxKeys>2</MaxKeys>
  <IsTruncated>true</IsTruncated>
  <Contents>
    <Key>team/packs/ab/ab01</Key>
    <LastModified>2009-10-12T17:50:30.000Z</LastModified>
    <ETag>&quot;fba9dede5f27731c9771645a39863328&quot;</ETag>
    <Size>434234</Size>
    <StorageClass>STANDARD</StorageClass>
  </Contents>
  <Contents>
    <Key>team/odd &amp; name &lt;1&gt; caf&#xE9; &#233;</Key>
    <LastModified>2024-02-29T23:59:59Z</LastModified>
    <Owner><ID>x</ID><DisplayName>Key</DisplayName></Owner>
    <Size>0</Size>
  </Contents>
  <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
</ListBucketResult>)";

TEST(S3Xml, ReadsAListPageWithItsContinuationToken) {
  const auto page = parse_list_objects(k_page, "s3://bucket/team");
  ASSERT_EQ(page.objects.size(), 2u);
  EXPECT_EQ(page.objects[0].key, "team/packs/ab/ab01");
  EXPECT_EQ(page.objects[0].size, 434234u);
  EXPECT_EQ(page.objects[0].mtime, 1255369830);
  EXPECT_EQ(page.objects[1].key, "team/odd & name <1> caf\xC3\xA9 \xC3\xA9");
  EXPECT_EQ(page.objects[1].size, 0u);
  EXPECT_EQ(page.objects[1].mtime, 1709251199);
  EXPECT_TRUE(page.truncated);
  EXPECT_EQ(page.next_continuation_token, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
}

TEST(S3Xml, ReadsTheLastAndAnEmptyPage) {
  const auto last = parse_list_objects(
      "<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>a</Key><Size>1</Size>"
      "</Contents></ListBucketResult>",
      "s3://b");
  ASSERT_EQ(last.objects.size(), 1u);
  EXPECT_FALSE(last.truncated);
  EXPECT_EQ(last.objects[0].mtime, 0);
  const auto empty = parse_list_objects(
      "<ListBucketResult><KeyCount>0</KeyCount><IsTruncated>false</IsTruncated></ListBucketResult>",
      "s3://b");
  EXPECT_TRUE(empty.objects.empty());
}

TEST(S3Xml, RefusesWhatIsNotAListing) {
  EXPECT_THROW(parse_list_objects("<html>proxy error</html>", "s3://b"), mlv::Error);
  EXPECT_THROW(parse_list_objects("<ListBucketResult><Contents><Key>a</Key><Size>x</Size>"
                                  "</Contents></ListBucketResult>",
                                  "s3://b"),
               mlv::Error);
  EXPECT_THROW(parse_list_objects("<ListBucketResult><IsTruncated>true</IsTruncated>"
                                  "</ListBucketResult>",
                                  "s3://b"),
               mlv::Error)
      << "a truncated page without a token would loop or stop short";
}

TEST(S3Xml, ReadsErrorDocuments) {
  const auto error = parse_error(R"(<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message>
<BucketName>missing</BucketName><RequestId>4442587FB7D0A2F9</RequestId></Error>)");
  EXPECT_EQ(error.code, "NoSuchBucket");
  EXPECT_EQ(error.message, "The specified bucket does not exist");
  EXPECT_TRUE(parse_error("").code.empty());
  EXPECT_TRUE(parse_error("<ListBucketResult/>").code.empty());
}

TEST(S3Xml, ReadsTheUploadIdOfAMultipartUpload) {
  EXPECT_EQ(parse_upload_id("<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key>"
                            "<UploadId>VXBsb2FkIElE&amp;x</UploadId>"
                            "</InitiateMultipartUploadResult>"),
            "VXBsb2FkIElE&x");
  EXPECT_FALSE(parse_upload_id("<InitiateMultipartUploadResult/>"));
  EXPECT_FALSE(parse_upload_id("<UploadId/>"));
}

TEST(S3Xml, DecodesEntitiesAndKeepsWhatIsNotOne) {
  EXPECT_EQ(decode_entities("a&amp;b&lt;&gt;&quot;&apos;"), "a&b<>\"'");
  EXPECT_EQ(decode_entities("&#65;&#x42;&#x1F600;"), "AB\xF0\x9F\x98\x80");
  EXPECT_EQ(decode_entities("AT&T &unknown; &#xZZ; &"), "AT&T &unknown; &#xZZ; &");
  EXPECT_EQ(decode_entities("<![CDATA[a&amp;b]]>"), "a&amp;b");
  EXPECT_EQ(escape_text("\"etag\" & <x>"), "&quot;etag&quot; &amp; &lt;x&gt;");
}

TEST(S3Xml, WritesTheCompleteMultipartUploadBody) {
  EXPECT_EQ(complete_multipart_body({"\"a1\"", "\"b2\""}),
            "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            "<Part><PartNumber>1</PartNumber><ETag>&quot;a1&quot;</ETag></Part>"
            "<Part><PartNumber>2</PartNumber><ETag>&quot;b2&quot;</ETag></Part>"
            "</CompleteMultipartUpload>");
}

TEST(S3Xml, ReadsIso8601Times) {
  EXPECT_EQ(parse_iso8601("1970-01-01T00:00:00.000Z"), 0);
  EXPECT_EQ(parse_iso8601("2013-05-24T00:00:00Z"), 1369353600);
  EXPECT_EQ(parse_iso8601("yesterday"), 0);
}

} // namespace
