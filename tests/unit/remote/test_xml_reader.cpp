#include <mlv/remote/xml_reader.hpp>

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

using mlv::remote::read_xml;
using mlv::remote::XmlAttributes;
using mlv::remote::XmlElement;
using mlv::remote::XmlHandler;

namespace {

// Writes every event as one line: "open D: href in response @2" / "close href = 'text'".
class Recorder : public XmlHandler {
public:
  void open(const XmlElement& element, const XmlAttributes& attributes) override {
    std::string line = "open " + std::string(element.ns) + "|" + std::string(element.name) +
                       " in " + std::string(element.parent) + " @" + std::to_string(element.depth);
    if (const auto encoded = attributes.find("Encoded")) {
      line += " Encoded=" + std::string(*encoded);
    }
    events.push_back(line);
  }
  void close(const XmlElement& element, std::string_view text) override {
    events.push_back("close " + std::string(element.name) + " = '" + std::string(text) + "'");
  }
  std::vector<std::string> events;
};

TEST(XmlReader, NamesElementsByNamespaceAndLocalNameWhateverThePrefix) {
  for (const char* xml : {"<D:multistatus xmlns:D=\"DAV:\"><D:href>/a</D:href></D:multistatus>",
                          "<d:multistatus xmlns:d='DAV:'><d:href>/a</d:href></d:multistatus>",
                          "<multistatus xmlns=\"DAV:\"><href>/a</href></multistatus>",
                          "<x:multistatus xmlns:x='DAV:' xmlns:y='DAV:'><y:href>/a</y:href>"
                          "</x:multistatus>"}) {
    Recorder recorder;
    EXPECT_EQ(read_xml(xml, recorder), std::nullopt) << xml;
    EXPECT_EQ(recorder.events,
              (std::vector<std::string>{"open DAV:|multistatus in  @0",
                                        "open DAV:|href in multistatus @1", "close href = '/a'",
                                        "close multistatus = ''"}))
        << xml;
  }
  Recorder none;
  EXPECT_EQ(read_xml("<a><b/></a>", none), std::nullopt);
  EXPECT_EQ(none.events.front(), "open |a in  @0");
}

TEST(XmlReader, DecodesEntitiesReferencesAndCdataInTextAndAttributes) {
  Recorder recorder;
  EXPECT_EQ(read_xml("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                     "<Name Encoded=\"a&amp;&#x62;\">team/a &amp; b &lt;1&gt; caf&#xE9; "
                     "\xE2\x82\xAC <![CDATA[x&amp;<y>]]>&quot;&apos;<!-- a comment --> z</Name>",
                     recorder),
            std::nullopt);
  ASSERT_EQ(recorder.events.size(), 2u);
  EXPECT_EQ(recorder.events[0], "open |Name in  @0 Encoded=a&b");
  EXPECT_EQ(recorder.events[1],
            "close Name = 'team/a & b <1> caf\xC3\xA9 \xE2\x82\xAC x&amp;<y>\"' z'");
}

TEST(XmlReader, TheTextOfAnElementIsWhatFollowsItsLastChild) {
  Recorder recorder;
  EXPECT_EQ(read_xml("<a>before<b>inner</b>after</a>", recorder), std::nullopt);
  EXPECT_EQ(recorder.events.back(), "close a = 'after'");
}

TEST(XmlReader, ReadsAUtf16DocumentAsUtf8) {
  const std::string utf8 = "<k>caf\xC3\xA9</k>";
  std::string utf16 = "\xFF\xFE"; // little-endian byte order mark
  for (const char c : std::string("<k>caf")) {
    utf16 += c;
    utf16 += '\0';
  }
  utf16 += "\xE9";
  utf16 += '\0';
  for (const char c : std::string("</k>")) {
    utf16 += c;
    utf16 += '\0';
  }
  Recorder recorder;
  EXPECT_EQ(read_xml(utf16, recorder), std::nullopt);
  EXPECT_EQ(recorder.events.back(), "close k = 'caf\xC3\xA9'");
}

TEST(XmlReader, SaysWhereAMalformedDocumentGoesWrong) {
  Recorder empty;
  EXPECT_EQ(read_xml("", empty), "line 1, column 1: no element found");
  Recorder truncated;
  const auto fault = read_xml("<ListBucketResult>\n<Contents><Key>a</Key>\n<Size>1", truncated);
  EXPECT_EQ(fault, "line 3, column 8: no element found");
  // The elements before the fault were reported.
  EXPECT_EQ(truncated.events[3], "close Key = 'a'");
  Recorder mismatched;
  EXPECT_EQ(read_xml("<multistatus><a></b></multistatus>", mismatched),
            "line 1, column 19: mismatched tag");
  Recorder bare_ampersand;
  EXPECT_EQ(read_xml("<Key>AT&T</Key>", bare_ampersand),
            "line 1, column 10: not well-formed (invalid token)");
  Recorder unknown_entity;
  EXPECT_EQ(read_xml("<Key>&bogus;</Key>", unknown_entity), "line 1, column 6: undefined entity");
  Recorder unbound_prefix;
  EXPECT_EQ(read_xml("<D:multistatus/>", unbound_prefix), "line 1, column 1: unbound prefix");
  Recorder html;
  EXPECT_NE(read_xml("<html><body>Bad Gateway<br></body></html>", html), std::nullopt);
  Recorder trailing;
  EXPECT_NE(read_xml("<a/><b/>", trailing), std::nullopt);
}

TEST(XmlReader, RefusesADocumentTypeDeclarationBeforeItsEntitiesExpand) {
  // "Billion laughs": ten levels of ten references, a gigabyte of text if expanded.
  std::string laughs = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol0 \"lol\">\n";
  for (int level = 1; level < 10; ++level) {
    laughs += "<!ENTITY lol" + std::to_string(level) + " \"";
    for (int i = 0; i < 10; ++i) {
      laughs += "&lol" + std::to_string(level - 1) + ";";
    }
    laughs += "\">\n";
  }
  laughs += "]>\n<ListBucketResult><Contents><Key>&lol9;</Key></Contents></ListBucketResult>";
  Recorder recorder;
  EXPECT_EQ(read_xml(laughs, recorder),
            "line 2: the document declares a DTD (<!DOCTYPE>), which no server reply needs");
  EXPECT_TRUE(recorder.events.empty());

  Recorder external;
  EXPECT_NE(read_xml("<!DOCTYPE k [<!ENTITY secret SYSTEM \"file:///etc/passwd\">]><k>&secret;</k>",
                     external),
            std::nullopt);
  EXPECT_TRUE(external.events.empty());
  Recorder plain;
  EXPECT_NE(read_xml("<!DOCTYPE html><html/>", plain), std::nullopt);
}

TEST(XmlReader, PassesAHandlersExceptionToTheCaller) {
  class Throwing : public XmlHandler {
    void close(const XmlElement& /*element*/, std::string_view /*text*/) override {
      throw std::runtime_error("stop");
    }
  } throwing;
  EXPECT_THROW(read_xml("<a><b/></a>", throwing), std::runtime_error);
}

} // namespace
