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
  EXPECT_TRUE(parse_error("<html><body>Bad Gateway</body></html>").code.empty());
  // A body cut short still names its code.
  EXPECT_EQ(parse_error("<Error><Code>SlowDown</Code><Message>Please red").code, "SlowDown");
}

TEST(S3Xml, ReadsTheUploadIdOfAMultipartUpload) {
  EXPECT_EQ(parse_upload_id("<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key>"
                            "<UploadId>VXBsb2FkIElE&amp;x</UploadId>"
                            "</InitiateMultipartUploadResult>"),
            "VXBsb2FkIElE&x");
  EXPECT_FALSE(parse_upload_id("<InitiateMultipartUploadResult/>"));
  EXPECT_FALSE(parse_upload_id("<UploadId/>"));
  EXPECT_FALSE(parse_upload_id("<InitiateMultipartUploadResult><UploadId>abc</UploadId>"))
      << "an answer cut short is not trusted for the id";
}

TEST(S3Xml, EscapesElementText) {
  EXPECT_EQ(escape_text("\"etag\" & <x>"), "&quot;etag&quot; &amp; &lt;x&gt;");
}

// A full page as s3rver and AWS write it: 1,000 keys, some with spaces, '&', '<' and non-ASCII.
std::string thousand_key_page() {
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult "
                    "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><IsTruncated>true"
                    "</IsTruncated><Name>bucket</Name><Prefix>team/</Prefix><MaxKeys>1000"
                    "</MaxKeys><KeyCount>1000</KeyCount>";
  for (int i = 0; i < 1000; ++i) {
    xml += "<Contents><Key>team/packs/" + std::to_string(i) +
           (i % 3 == 0 ? " a &amp; b &lt;c&gt; caf\xC3\xA9" : "") +
           "</Key><LastModified>2026-12-04T18:00:00.000Z</LastModified><ETag>&quot;fba9dede5f"
           "27731c9771645a39863328&quot;</ETag><Size>" +
           std::to_string(i * 1000) + "</Size><StorageClass>STANDARD</StorageClass></Contents>";
  }
  return xml + "<NextContinuationToken>dGVhbS9wYWNrcy85OTk=</NextContinuationToken>"
               "</ListBucketResult>";
}

TEST(S3Xml, ReadsAThousandKeyPage) {
  const auto page = parse_list_objects(thousand_key_page(), "s3://bucket/team");
  ASSERT_EQ(page.objects.size(), 1000u);
  EXPECT_EQ(page.objects[0].key, "team/packs/0 a & b <c> caf\xC3\xA9");
  EXPECT_EQ(page.objects[998].key, "team/packs/998");
  EXPECT_EQ(page.objects[999].key, "team/packs/999 a & b <c> caf\xC3\xA9");
  EXPECT_EQ(page.objects[999].size, 999000u);
  EXPECT_EQ(page.objects[999].mtime, 1796407200);
  EXPECT_TRUE(page.truncated);
  EXPECT_EQ(page.next_continuation_token, "dGVhbS9wYWNrcy85OTk=");
}

// A reply cut short by the network or a proxy is a remote error naming the URL, wherever it
// stops: a listing read in part would make gc or status miss objects.
TEST(S3Xml, RefusesAListingCutShortOrMalformed) {
  const auto page = thousand_key_page();
  for (const auto cut : {page.size() - 1, page.size() - 20, page.size() / 2, std::size_t{200}}) {
    try {
      parse_list_objects(std::string_view(page).substr(0, cut), "s3://bucket/team");
      ADD_FAILURE() << "a page cut at byte " << cut << " was read";
    } catch (const mlv::Error& error) {
      EXPECT_EQ(error.kind(), mlv::Failure::remote);
      EXPECT_TRUE(std::string(error.what())
                      .starts_with("s3://bucket/team: the server's answer to a listing is not "
                                   "well-formed XML (line "))
          << error.what();
    }
  }
  EXPECT_THROW(parse_list_objects("<ListBucketResult><Contents><Key>AT&T</Key><Size>1</Size>"
                                  "</Contents></ListBucketResult>",
                                  "s3://b"),
               mlv::Error);
}

TEST(S3Xml, RefusesAListingWithADocumentType) {
  try {
    parse_list_objects("<!DOCTYPE ListBucketResult [<!ENTITY k \"team/evil\">]><ListBucketResult>"
                       "<Contents><Key>&k;</Key><Size>1</Size></Contents></ListBucketResult>",
                       "s3://bucket/team");
    ADD_FAILURE() << "a listing with a DTD was read";
  } catch (const mlv::Error& error) {
    EXPECT_EQ(error.kind(), mlv::Failure::remote);
    EXPECT_NE(std::string(error.what()).find("DTD"), std::string::npos) << error.what();
  }
}

// Only the document's elements count: a comment or CDATA that looks like an entry is text.
TEST(S3Xml, ReadsNoEntryFromCommentsOrCdata) {
  const auto page = parse_list_objects(
      "<ListBucketResult><!-- <Contents><Key>ghost</Key><Size>1</Size></Contents> -->"
      "<Contents><Key><![CDATA[a<Size>9</Size>&b]]></Key><Size>2</Size></Contents>"
      "<IsTruncated>false</IsTruncated></ListBucketResult>",
      "s3://b");
  ASSERT_EQ(page.objects.size(), 1u);
  EXPECT_EQ(page.objects[0].key, "a<Size>9</Size>&b");
  EXPECT_EQ(page.objects[0].size, 2u);
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
