#include <mlv/remote/text_codec.hpp>
#include <mlv/remote/webdav_multistatus.hpp>

#include <gtest/gtest.h>

using mlv::remote::parse_http_date;
using mlv::remote::parse_multistatus;
using mlv::remote::percent_decode;

namespace {

// What nginx's dav_ext module answers to PROPFIND Depth: 1 on a folder with a file and a folder.
constexpr const char* k_nginx_listing = R"(<?xml version="1.0" encoding="utf-8" ?>
<D:multistatus xmlns:D="DAV:">
<D:response>
<D:href>/remote/packs/</D:href>
<D:propstat>
<D:prop>
<D:getlastmodified>Tue, 02 Jan 2024 03:04:05 GMT</D:getlastmodified>
<D:resourcetype><D:collection/></D:resourcetype>
</D:prop>
<D:status>HTTP/1.1 200 OK</D:status>
</D:propstat>
</D:response>
<D:response>
<D:href>/remote/packs/ab/</D:href>
<D:propstat>
<D:prop>
<D:resourcetype><D:collection/></D:resourcetype>
</D:prop>
<D:status>HTTP/1.1 200 OK</D:status>
</D:propstat>
</D:response>
<D:response>
<D:href>/remote/packs/my%20file%2Bx</D:href>
<D:propstat>
<D:prop>
<D:getcontentlength>1234567</D:getcontentlength>
<D:getlastmodified>Thu, 01 Jan 1970 00:01:40 GMT</D:getlastmodified>
<D:resourcetype></D:resourcetype>
</D:prop>
<D:status>HTTP/1.1 200 OK</D:status>
</D:propstat>
</D:response>
</D:multistatus>
)";

TEST(ParseMultistatus, ReadsNginxMembers) {
  const auto entries = parse_multistatus(k_nginx_listing);
  ASSERT_TRUE(entries.has_value());
  ASSERT_EQ(entries->size(), 3u);
  EXPECT_EQ((*entries)[0].path, "/remote/packs/");
  EXPECT_TRUE((*entries)[0].collection);
  EXPECT_EQ((*entries)[0].mtime, 1704164645);
  EXPECT_TRUE((*entries)[1].collection);
  EXPECT_EQ((*entries)[2].path, "/remote/packs/my file+x");
  EXPECT_FALSE((*entries)[2].collection);
  EXPECT_EQ((*entries)[2].size, 1234567u);
  EXPECT_EQ((*entries)[2].mtime, 100);
}

// Apache mod_dav style: a default namespace, absolute hrefs, properties it lacks in a 404
// propstat, entities, and a member whose whole response failed.
TEST(ParseMultistatus, ReadsDefaultNamespacesAbsoluteHrefsAndSkipsFailedProps) {
  const auto entries = parse_multistatus(R"(<?xml version="1.0"?>
<!-- a comment with <tags> -->
<multistatus xmlns="DAV:" xmlns:ns1="http://apache.org/dav/props/">
 <response><href>https://dav.example.com:8443/m/a&amp;b.bin</href>
  <propstat><prop><getcontentlength>7</getcontentlength><resourcetype/></prop>
   <status>HTTP/1.1 200 OK</status></propstat>
  <propstat><prop><getlastmodified/></prop><status>HTTP/1.1 404 Not Found</status></propstat>
 </response>
 <response><href>/m/gone</href><status>HTTP/1.1 404 Not Found</status></response>
 <response><href><![CDATA[/m/dir/]]></href>
  <propstat><prop><getcontentlength>99</getcontentlength></prop>
   <status>HTTP/1.1 404 Not Found</status></propstat>
  <propstat><prop><resourcetype><collection/></resourcetype></prop>
   <status>HTTP/1.1 200 OK</status></propstat>
 </response>
</multistatus>)");
  ASSERT_TRUE(entries.has_value());
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].path, "/m/a&b.bin");
  EXPECT_EQ((*entries)[0].size, 7u);
  EXPECT_EQ((*entries)[0].mtime, 0);
  EXPECT_EQ((*entries)[1].path, "/m/dir/");
  EXPECT_TRUE((*entries)[1].collection);
  EXPECT_EQ((*entries)[1].size, 0u);
}

TEST(ParseMultistatus, RejectsWhatIsNotMultistatusXml) {
  EXPECT_FALSE(parse_multistatus("").has_value());
  EXPECT_FALSE(parse_multistatus("<html><body>Not a listing</body></html>").has_value());
  EXPECT_FALSE(parse_multistatus("<D:multistatus xmlns:D=\"DAV:\"><D:response>").has_value());
  EXPECT_FALSE(parse_multistatus("<multistatus><a></b></multistatus>").has_value());
  EXPECT_FALSE(parse_multistatus("<multistatus>&bogus;</multistatus>").has_value());
  EXPECT_TRUE(parse_multistatus("<d:multistatus xmlns:d='DAV:'/>").has_value());
  EXPECT_FALSE(parse_multistatus("<D:multistatus><D:response/></D:multistatus>").has_value())
      << "a prefix bound to no namespace is not XML";
  EXPECT_FALSE(parse_multistatus(std::string_view(k_nginx_listing).substr(0, 400)).has_value());
  EXPECT_FALSE(parse_multistatus("<!DOCTYPE m [<!ENTITY h \"/x\">]><multistatus xmlns='DAV:'>"
                                 "<response><href>&h;</href></response></multistatus>")
                   .has_value());
}

// Lower-case and unusual prefixes read alike; an element of another namespace that happens to be
// called href or getcontentlength is not the DAV: one.
TEST(ParseMultistatus, ReadsDavNamesWhateverThePrefixAndOnlyThem) {
  const auto entries = parse_multistatus(R"(<?xml version="1.0" encoding="utf-8"?>
<lp:multistatus xmlns:lp="DAV:" xmlns:x="urn:example">
 <lp:response><lp:href>/m/caf%C3%A9 &amp; co.bin</lp:href><x:href>/wrong</x:href>
  <lp:propstat><lp:prop><lp:getcontentlength>42</lp:getcontentlength>
   <x:getcontentlength>1</x:getcontentlength></lp:prop>
   <lp:status>HTTP/1.1 200 OK</lp:status></lp:propstat>
 </lp:response>
</lp:multistatus>)");
  ASSERT_TRUE(entries.has_value());
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].path, "/m/caf\xC3\xA9 & co.bin");
  EXPECT_EQ((*entries)[0].size, 42u);
}

TEST(ParseHttpDate, ReadsRfc1123AndRejectsOtherText) {
  EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
  EXPECT_EQ(parse_http_date(" Thu, 01 Jan 1970 00:00:01 GMT "), 1);
  EXPECT_EQ(parse_http_date("yesterday"), 0);
  EXPECT_EQ(parse_http_date("Sun, 06 Foo 1994 08:49:37 GMT"), 0);
  EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 CET"), 0);
  EXPECT_EQ(parse_http_date(""), 0);
}

TEST(PercentDecode, DecodesEscapesAndKeepsInvalidOnes) {
  EXPECT_EQ(percent_decode("/a%20b/%2Fc"), "/a b//c");
  EXPECT_EQ(percent_decode("%e2%82%ac"), "\xe2\x82\xac");
  EXPECT_EQ(percent_decode("100%"), "100%");
  EXPECT_EQ(percent_decode("%zz%4"), "%zz%4");
}

} // namespace
