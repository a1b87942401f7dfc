#include <mlv/remote/azure_xml.hpp>
#include <mlv/util/error.hpp>

#include <gtest/gtest.h>

using namespace mlv::remote::azure;

namespace {

TEST(AzureXml, ParsesAListBlobsPageWithEntitiesEncodedNamesAndAMarker) {
  const std::string xml = R"(<?xml version="1.0" encoding="utf-8"?>
<EnumerationResults ServiceEndpoint="http://127.0.0.1:10000/devstoreaccount1" ContainerName="models">
  <Prefix>team/packs/</Prefix>
  <MaxResults>2</MaxResults>
  <Blobs>
    <Blob>
      <Name>team/packs/ab/ab12</Name>
      <Properties>
        <Creation-Time>Wed, 09 Jun 2021 10:18:14 GMT</Creation-Time>
        <Last-Modified>Thu, 10 Jun 2021 10:18:14 GMT</Last-Modified>
        <Etag>0x8D92B2E5F0F1D8C</Etag>
        <Content-Length>33554432</Content-Length>
        <Content-Type>application/octet-stream</Content-Type>
        <BlobType>BlockBlob</BlobType>
      </Properties>
    </Blob>
    <Blob><Name>team/a &amp; b&#x2F;&lt;c&gt;</Name><Properties><Content-Length>0</Content-Length></Properties></Blob>
    <Blob><Name Encoded="true">team/odd%01name</Name><Properties><Content-Length>7</Content-Length></Properties></Blob>
  </Blobs>
  <NextMarker>2!88!MDAwMDE=</NextMarker>
</EnumerationResults>)";
  const auto page = parse_blob_list(xml);
  ASSERT_EQ(page.blobs.size(), 3U);
  EXPECT_EQ(page.blobs[0].key, "team/packs/ab/ab12");
  EXPECT_EQ(page.blobs[0].size, 33554432U);
  EXPECT_EQ(page.blobs[0].mtime, 1623320294); // Last-Modified, not Creation-Time
  EXPECT_EQ(page.blobs[1].key, "team/a & b/<c>");
  EXPECT_EQ(page.blobs[1].size, 0U);
  EXPECT_EQ(page.blobs[1].mtime, 0);
  EXPECT_EQ(page.blobs[2].key, std::string("team/odd\x01name"));
  EXPECT_EQ(page.next_marker, "2!88!MDAwMDE=");
}

TEST(AzureXml, AnEmptyLastPageHasNoBlobsAndNoMarker) {
  const auto page = parse_blob_list(
      R"(<?xml version="1.0" encoding="utf-8"?><EnumerationResults ContainerName="c"><Prefix>x</Prefix><Blobs /><NextMarker /></EnumerationResults>)");
  EXPECT_TRUE(page.blobs.empty());
  EXPECT_EQ(page.next_marker, "");
}

TEST(AzureXml, RejectsABodyThatIsNotAListing) {
  EXPECT_THROW(parse_blob_list("<html>proxy error</html>"), mlv::Error);
  EXPECT_THROW(parse_blob_list("<EnumerationResults><Blobs><Blob><Properties/></Blob></Blobs>"
                               "</EnumerationResults>"),
               mlv::Error);
}

// Azurite's shape, cut short: the listing is refused rather than read in part.
TEST(AzureXml, RejectsAListingCutShortOrWithADocumentType) {
  const std::string xml =
      R"(<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="http://127.0.0.1:10000/devstoreaccount1/" ContainerName="models"><Prefix>team/</Prefix><MaxResults>5000</MaxResults><Delimiter></Delimiter><Blobs><Blob><Name>team/a b &amp; c</Name><Properties><Last-Modified>Thu, 10 Jun 2021 10:18:14 GMT</Last-Modified><Content-Length>7</Content-Length></Properties></Blob><Blob><Name>team/z</Name><Properties><Content-Length>1</Content-Length></Properties></Blob></Blobs><NextMarker/></EnumerationResults>)";
  EXPECT_EQ(parse_blob_list(xml).blobs.size(), 2U);
  for (const auto cut : {xml.size() - 1, xml.size() / 2}) {
    try {
      parse_blob_list(std::string_view(xml).substr(0, cut));
      ADD_FAILURE() << "a listing cut at byte " << cut << " was read";
    } catch (const mlv::Error& error) {
      EXPECT_EQ(error.kind(), mlv::Failure::remote);
      EXPECT_TRUE(std::string(error.what())
                      .starts_with("the server's answer to List Blobs is not well-formed XML"))
          << error.what();
    }
  }
  EXPECT_THROW(parse_blob_list("<!DOCTYPE e [<!ENTITY n \"x\">]><EnumerationResults><Blobs><Blob>"
                               "<Name>&n;</Name></Blob></Blobs></EnumerationResults>"),
               mlv::Error);
}

TEST(AzureXml, ReadsTheErrorCode) {
  EXPECT_EQ(
      error_code(
          R"(<?xml version="1.0" encoding="utf-8"?><Error><Code>ContainerNotFound</Code><Message>The specified container does not exist.
RequestId:1</Message></Error>)"),
      "ContainerNotFound");
  EXPECT_EQ(error_code("not xml"), "");
}

TEST(AzureXml, BlockListNamesEveryBlockInOrder) {
  EXPECT_EQ(block_list_xml({"MDA=", "MDE="}),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<BlockList>\n  <Latest>MDA=</Latest>\n"
            "  <Latest>MDE=</Latest>\n</BlockList>\n");
}

TEST(AzureXml, ParsesHttpDates) {
  EXPECT_EQ(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), 0);
  EXPECT_EQ(parse_http_date("Sun, 11 Oct 2009 21:49:13 GMT"), 1255297753);
  EXPECT_EQ(parse_http_date("2009-10-11T21:49:13Z"), 0);
  EXPECT_EQ(parse_http_date("Sun, 11 Foo 2009 21:49:13 GMT"), 0);
}

} // namespace
