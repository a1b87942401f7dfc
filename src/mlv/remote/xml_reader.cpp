#include <mlv/remote/xml_reader.hpp>

#include <expat.h>

#include <algorithm>
#include <exception>
#include <memory>
#include <vector>

namespace mlv::remote {

namespace {

// Expat joins a namespace URI and a local name with this character: "DAV: href". A space
// cannot appear in a local name, so the text after the last one is the local name.
constexpr char k_namespace_separator = ' ';
// XML_Parse takes an int length; a bigger body is given in pieces of this size.
constexpr std::size_t k_max_piece = std::size_t{1} << 30;

struct SplitName {
  std::string_view ns;
  std::string_view local;
};

SplitName split_name(const char* expat_name) {
  const std::string_view name(expat_name);
  const auto separator = name.rfind(k_namespace_separator);
  if (separator == std::string_view::npos) {
    return {{}, name};
  }
  return {name.substr(0, separator), name.substr(separator + 1)};
}

struct ParserDeleter {
  void operator()(XML_Parser parser) const { XML_ParserFree(parser); }
};

// The state the expat callbacks share: the open elements and the text since the last tag. The
// stack keeps its strings when it shrinks, so a long listing allocates for its first entry only.
class Session {
public:
  Session(XML_Parser parser, XmlHandler& handler) : parser_(parser), handler_(handler) {}

  void start(const char* expat_name, const char** attributes) {
    const auto name = split_name(expat_name);
    const XmlElement element{name.local, name.ns, parent(), depth_};
    call([&] { handler_.open(element, XmlAttributes(attributes)); });
    if (depth_ == open_.size()) {
      open_.push_back({std::string(name.ns), std::string(name.local)});
    } else {
      open_[depth_].ns.assign(name.ns);
      open_[depth_].local.assign(name.local);
    }
    ++depth_;
    text_.clear();
  }

  // Expat checks that the end tag matches the start tag, so the name comes from the stack.
  void end() {
    --depth_;
    const auto& name = open_[depth_];
    const XmlElement element{name.local, name.ns, parent(), depth_};
    call([&] { handler_.close(element, text_); });
    text_.clear();
  }

  void text(const char* data, int length) { text_.append(data, static_cast<std::size_t>(length)); }

  void refuse_doctype() {
    doctype_refused_ = true;
    XML_StopParser(parser_, XML_FALSE);
  }

  bool doctype_refused() const { return doctype_refused_; }

  // An exception a handler threw, passed over expat's C frames.
  void rethrow_handler_exception() const {
    if (handler_exception_) {
      std::rethrow_exception(handler_exception_);
    }
  }

private:
  std::string_view parent() const {
    return depth_ == 0 ? std::string_view() : std::string_view(open_[depth_ - 1].local);
  }

  struct OpenElement {
    std::string ns;
    std::string local;
  };

  template <typename Call>
  void call(Call&& handler_call) {
    try {
      handler_call();
    } catch (...) {
      handler_exception_ = std::current_exception();
      XML_StopParser(parser_, XML_FALSE);
    }
  }

  XML_Parser parser_;
  XmlHandler& handler_;
  std::vector<OpenElement> open_;
  std::size_t depth_ = 0;
  std::string text_;
  bool doctype_refused_ = false;
  std::exception_ptr handler_exception_;
};

Session& session_of(void* user_data) {
  return *static_cast<Session*>(user_data);
}

void on_start(void* user_data, const XML_Char* name, const XML_Char** attributes) {
  session_of(user_data).start(name, attributes);
}

void on_end(void* user_data, const XML_Char* /*name*/) {
  session_of(user_data).end();
}

void on_text(void* user_data, const XML_Char* data, int length) {
  session_of(user_data).text(data, length);
}

void on_doctype(void* user_data,
                const XML_Char* /*name*/,
                const XML_Char* /*system_id*/,
                const XML_Char* /*public_id*/,
                int /*has_internal_subset*/) {
  session_of(user_data).refuse_doctype();
}

std::string describe_fault(XML_Parser parser) {
  return "line " + std::to_string(XML_GetCurrentLineNumber(parser)) + ", column " +
         std::to_string(XML_GetCurrentColumnNumber(parser) + 1) + ": " +
         XML_ErrorString(XML_GetErrorCode(parser));
}

} // namespace

std::optional<std::string_view> XmlAttributes::find(std::string_view name) const {
  for (const char** pair = pairs_; pair != nullptr && *pair != nullptr; pair += 2) {
    if (split_name(pair[0]).local == name) {
      return std::string_view(pair[1]);
    }
  }
  return std::nullopt;
}

std::optional<std::string> read_xml(std::string_view xml, XmlHandler& handler) {
  const std::unique_ptr<XML_ParserStruct, ParserDeleter> parser(
      XML_ParserCreateNS(nullptr, k_namespace_separator));
  if (!parser) {
    throw std::bad_alloc();
  }
  Session session(parser.get(), handler);
  XML_SetUserData(parser.get(), &session);
  XML_SetElementHandler(parser.get(), on_start, on_end);
  XML_SetCharacterDataHandler(parser.get(), on_text);
  XML_SetStartDoctypeDeclHandler(parser.get(), on_doctype);
  // Parameter entities and external DTDs are never read (expat's default, stated here).
  XML_SetParamEntityParsing(parser.get(), XML_PARAM_ENTITY_PARSING_NEVER);

  std::size_t offset = 0;
  do {
    const auto piece = std::min(xml.size() - offset, k_max_piece);
    const bool last = offset + piece == xml.size();
    const auto status =
        XML_Parse(parser.get(), xml.data() + offset, static_cast<int>(piece), last ? 1 : 0);
    offset += piece;
    session.rethrow_handler_exception();
    if (session.doctype_refused()) {
      return "line " + std::to_string(XML_GetCurrentLineNumber(parser.get())) +
             ": the document declares a DTD (<!DOCTYPE>), which no server reply needs";
    }
    if (status != XML_STATUS_OK) {
      return describe_fault(parser.get());
    }
  } while (offset < xml.size());
  return std::nullopt;
}

} // namespace mlv::remote
