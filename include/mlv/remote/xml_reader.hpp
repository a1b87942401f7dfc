#pragma once

#include <optional>
#include <string>
#include <string_view>

// The one XML reader of the remote backends (S3, Azure and WebDAV replies): libexpat in namespace
// mode, streaming, with no tree built. A caller collects the elements it needs in an XmlHandler.
namespace mlv::remote {

// An element as the reader reports it. Names are local names: <D:href xmlns:D="DAV:"> and
// <href xmlns="DAV:"> are both "href" in namespace "DAV:", whatever the prefix.
struct XmlElement {
  std::string_view name;
  std::string_view ns;     // the namespace URI, empty when the element has none
  std::string_view parent; // the enclosing element's local name, empty for the root
  std::size_t depth = 0;   // 0 for the root
};

// The attributes of an element that opens, by local name.
class XmlAttributes {
public:
  explicit XmlAttributes(const char** pairs) : pairs_(pairs) {}
  // The value of the attribute `name` (entities decoded), nullopt when absent.
  std::optional<std::string_view> find(std::string_view name) const;

private:
  const char** pairs_; // expat's name, value, name, value, ..., nullptr
};

class XmlHandler {
public:
  virtual ~XmlHandler() = default;
  virtual void open(const XmlElement& /*element*/, const XmlAttributes& /*attributes*/) {}
  // `text` is the character data since the element's last child (all of it for an element
  // without children), entities decoded and CDATA sections included.
  virtual void close(const XmlElement& /*element*/, std::string_view /*text*/) {}
};

// Reads the whole of `xml`, calling `handler` for each element. nullopt when the document is
// well-formed; otherwise what is wrong with it ("line 3, column 7: mismatched tag"), after the
// handler saw the elements before the fault. A document with a DTD (<!DOCTYPE ...>) is refused:
// no server reply needs one, and its entities are how a reply could expand to gigabytes.
std::optional<std::string> read_xml(std::string_view xml, XmlHandler& handler);

} // namespace mlv::remote
