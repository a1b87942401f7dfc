#include <mlv/hash/sha256.hpp>
#include <mlv/pointer/meta_values.hpp>
#include <mlv/pointer/pointer.hpp>
#include <mlv/util/atomic_file.hpp>
#include <mlv/util/error.hpp>
#include <mlv/util/fs.hpp>

#include <array>
#include <set>

namespace mlv::pointer {

namespace {

constexpr const char* k_header =
    "# mlv pointer: the data lives in the mlv cache and remotes; see docs/formats.md";
constexpr std::array<const char*, 10> k_known_keys = {
    "version", "path", "kind", "sha256", "size", "files", "format", "summary", "meta", "safety"};

Error field_error(const std::string& source, const std::string& field, const std::string& what) {
  return Error(Failure::invalid_input, source + ": field '" + field + "': " + what,
               "fix or restore the pointer (e.g. `git checkout -- " + source +
                   "`), or re-run `mlv add`");
}

bool is_known_key(const std::string& key) {
  for (const auto* known : k_known_keys) {
    if (key == known) {
      return true;
    }
  }
  return false;
}

std::string scalar(const YAML::Node& node, const std::string& source, const std::string& field) {
  if (!node || node.IsNull()) {
    throw field_error(source, field, "missing");
  }
  if (!node.IsScalar()) {
    throw field_error(source, field, "must be a single value");
  }
  return node.Scalar();
}

std::uint64_t
unsigned_number(const YAML::Node& node, const std::string& source, const std::string& field) {
  const auto text = scalar(node, source, field);
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) {
    throw field_error(source, field, "'" + text + "' is not a non-negative whole number");
  }
  try {
    return std::stoull(text);
  } catch (const std::exception&) {
    throw field_error(source, field, "'" + text + "' is too large");
  }
}

void check_path(const std::string& path, const std::string& source) {
  if (const auto problem = path_problem(path)) {
    throw field_error(source, "path", *problem);
  }
}

YAML::Node
optional_map(const YAML::Node& node, const std::string& source, const std::string& field) {
  if (!node || node.IsNull()) {
    return YAML::Node();
  }
  if (!node.IsMap()) {
    throw field_error(source, field, "must be a map of keys to values");
  }
  return YAML::Clone(node);
}

// A scalar that was quoted where it was read ("0.5", "true") and would read back as a number,
// boolean or null if written plain: it must stay quoted to stay a string.
bool needs_quotes(const YAML::Node& node) {
  if (node.IsScalar()) {
    return node.Tag() == "!" && scalar_type(YAML::Node(node.Scalar())) != ScalarType::string;
  }
  if (node.IsMap()) {
    for (const auto& entry : node) {
      if (needs_quotes(entry.first) || needs_quotes(entry.second)) {
        return true;
      }
    }
  } else if (node.IsSequence()) {
    for (const auto& item : node) {
      if (needs_quotes(item)) {
        return true;
      }
    }
  }
  return false;
}

void emit_node(YAML::Emitter& out, const YAML::Node& node) {
  if (!needs_quotes(node)) {
    out << node; // yaml-cpp's own emission, unchanged for every pointer without such strings
    return;
  }
  if (node.IsScalar()) {
    out << YAML::DoubleQuoted << node.Scalar();
    return;
  }
  if (node.Style() == YAML::EmitterStyle::Flow) {
    out << YAML::Flow;
  }
  if (node.IsMap()) {
    out << YAML::BeginMap;
    for (const auto& entry : node) {
      out << YAML::Key;
      emit_node(out, entry.first);
      out << YAML::Value;
      emit_node(out, entry.second);
    }
    out << YAML::EndMap;
  } else {
    out << YAML::BeginSeq;
    for (const auto& item : node) {
      emit_node(out, item);
    }
    out << YAML::EndSeq;
  }
}

Pointer validate_pointer(const YAML::Node& root, const std::string& source) {
  Pointer pointer;
  const auto version = unsigned_number(root["version"], source, "version");
  if (version != static_cast<std::uint64_t>(k_format_version)) {
    throw Error(Failure::invalid_input,
                source + ": field 'version': " + std::to_string(version) +
                    " is not supported (this mlv reads version " +
                    std::to_string(k_format_version) + ")",
                "upgrade mlv");
  }
  pointer.version = k_format_version;
  pointer.path = scalar(root["path"], source, "path");
  check_path(pointer.path, source);
  const auto kind = scalar(root["kind"], source, "kind");
  if (kind == "file") {
    pointer.kind = Kind::file;
  } else if (kind == "dir") {
    pointer.kind = Kind::dir;
  } else {
    throw field_error(source, "kind", "'" + kind + "' is neither 'file' nor 'dir'");
  }
  pointer.sha256 = scalar(root["sha256"], source, "sha256");
  if (!hash::is_content_id(pointer.sha256)) {
    throw field_error(source, "sha256", "'" + pointer.sha256 + "' is not 64 lower-case hex digits");
  }
  pointer.size = unsigned_number(root["size"], source, "size");
  if (pointer.kind == Kind::dir) {
    pointer.files = unsigned_number(root["files"], source, "files");
  } else if (root["files"]) {
    throw field_error(source, "files", "only a dir pointer has a file count");
  }
  if (root["format"] && !root["format"].IsNull()) {
    pointer.format = scalar(root["format"], source, "format");
  }
  pointer.summary = optional_map(root["summary"], source, "summary");
  pointer.meta = optional_map(root["meta"], source, "meta");
  pointer.safety = optional_map(root["safety"], source, "safety");
  for (const auto& entry : root) {
    if (!entry.first.IsScalar()) {
      throw field_error(source, "(key)", "a top-level key must be a plain name");
    }
    const auto key = entry.first.Scalar();
    if (!is_known_key(key)) {
      if (!pointer.extra) {
        pointer.extra = YAML::Node(YAML::NodeType::Map);
      }
      pointer.extra[key] = YAML::Clone(entry.second);
    }
  }
  return pointer;
}

} // namespace

std::optional<std::string> path_problem(const std::string& path) {
  if (path.empty()) {
    return "empty";
  }
  if (path.front() == '/') {
    return "'" + path + "' is absolute; it must be relative to the pointer's folder";
  }
  // Backslashes are Windows separators; a control character (a newline above all) cannot be
  // written to a .gitignore line or shown safely.
  for (const char c : path) {
    if (c == '\\' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return "'" + path + "' contains a backslash or control character";
    }
  }
  for (const auto& part : std::filesystem::path(path)) {
    if (part == "..") {
      return "'" + path + "' contains '..'; it must stay in the pointer's folder";
    }
  }
  return std::nullopt;
}

bool has_conflict_markers(std::string_view text) {
  // git writes "<<<<<<< ours", "=======" and ">>>>>>> theirs" at the start of lines.
  bool begin = false;
  bool middle = false;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    const auto line = text.substr(start, end - start);
    if (line.starts_with("<<<<<<<")) {
      begin = true;
    } else if (begin && line.starts_with("=======")) {
      middle = true;
    } else if (middle && line.starts_with(">>>>>>>")) {
      return true;
    }
    start = end + 1;
  }
  return false;
}

std::string_view kind_name(Kind kind) {
  return kind == Kind::dir ? "dir" : "file";
}

Pointer parse_pointer(std::string_view text, const std::string& source) {
  if (has_conflict_markers(text)) {
    const auto data = source.ends_with(k_suffix) ? source.substr(0, source.size() - k_suffix.size())
                                                 : std::string("its data");
    throw Error(Failure::invalid_input, source + ": has unresolved git merge conflict markers",
                "keep one side with `git checkout --ours " + source +
                    "` (or `--theirs`) and `git add " + source + "`, then `mlv checkout " + data +
                    "`");
  }
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& error) {
    throw Error(Failure::invalid_input,
                source + ": not valid YAML (line " + std::to_string(error.mark.line + 1) +
                    "): " + error.msg,
                "restore the pointer with git, or re-run `mlv add` on the data");
  }
  if (!root.IsMap()) {
    throw Error(Failure::invalid_input, source + ": not an mlv pointer (expected a YAML map)",
                "restore the pointer with git, or re-run `mlv add` on the data");
  }
  try {
    return validate_pointer(root, source);
  } catch (const YAML::Exception& error) {
    // A shape yaml-cpp cannot convert (e.g. a map used as a key) is still the user's input.
    throw Error(Failure::invalid_input,
                source + ": not an mlv pointer (line " + std::to_string(error.mark.line + 1) +
                    "): " + error.msg,
                "restore the pointer with git, or re-run `mlv add` on the data");
  }
}

std::string serialize_pointer(const Pointer& pointer) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "version" << YAML::Value << pointer.version;
  out << YAML::Key << "path" << YAML::Value << pointer.path;
  out << YAML::Key << "kind" << YAML::Value << std::string(kind_name(pointer.kind));
  out << YAML::Key << "sha256" << YAML::Value << pointer.sha256;
  out << YAML::Key << "size" << YAML::Value << pointer.size;
  if (pointer.kind == Kind::dir) {
    out << YAML::Key << "files" << YAML::Value << pointer.files.value_or(0);
  }
  out << YAML::Key << "format" << YAML::Value << pointer.format;
  for (const auto& [key, node] :
       {std::pair{"summary", &pointer.summary}, std::pair{"meta", &pointer.meta},
        std::pair{"safety", &pointer.safety}}) {
    if (*node && node->IsMap() && node->size() > 0) {
      out << YAML::Key << key << YAML::Value;
      emit_node(out, *node);
    }
  }
  if (pointer.extra && pointer.extra.IsMap()) {
    for (const auto& entry : pointer.extra) {
      out << YAML::Key << entry.first << YAML::Value;
      emit_node(out, entry.second);
    }
  }
  out << YAML::EndMap;
  return std::string(k_header) + "\n" + out.c_str() + "\n";
}

Pointer read_pointer(const std::filesystem::path& pointer_path) {
  std::string text;
  try {
    text = util::read_file(pointer_path);
  } catch (const Error& error) {
    if (error.kind() != Failure::not_found) {
      throw;
    }
    throw Error(Failure::not_found, pointer_path.string() + ": pointer file not found",
                "`mlv status` lists the tracked files; `mlv add` tracks a new one");
  }
  return parse_pointer(text, pointer_path.string());
}

void write_pointer(const std::filesystem::path& pointer_path, const Pointer& pointer) {
  util::write_file_atomic(pointer_path, serialize_pointer(pointer));
}

std::filesystem::path pointer_path_for(const std::filesystem::path& data_path) {
  auto path = data_path;
  path += std::string(k_suffix);
  return path;
}

std::string as_pointer_path(const std::string& path) {
  return path.ends_with(k_suffix) ? path : path + std::string(k_suffix);
}

bool is_pointer_path(const std::filesystem::path& path) {
  const auto name = path.filename().string();
  return name.size() > k_suffix.size() && name.ends_with(k_suffix);
}

std::filesystem::path data_path_of(const std::filesystem::path& pointer_path,
                                   const Pointer& pointer) {
  return pointer_path.parent_path() / pointer.path;
}

} // namespace mlv::pointer
