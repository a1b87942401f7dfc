#include <mlv/util/env.hpp>
#include <mlv/util/error.hpp>

#include <map>
#include <mutex>

namespace mlv::util {

namespace {

namespace fs = std::filesystem;

// A file's bytes and what stat reports about them; hard links share one.
struct Inode {
  std::string data;
  std::uint64_t number = 0;
  std::int64_t mtime_ns = 0;
  unsigned mode = 0644;
};

struct Node {
  Env::Type type = Env::Type::file;
  std::shared_ptr<Inode> inode; // a file's or a folder's
  fs::path link_target;         // a symbolic link's
};

// Symbolic links are followed in the last component only (enough for what mlv's tests place).
class MemoryEnv final : public Env {
public:
  MemoryEnv() { nodes_["/"] = Node{Type::directory, new_inode(0755), {}}; }

  std::optional<Info> stat(const fs::path& path) override {
    std::lock_guard lock(mutex_);
    const auto* node = find(resolve(key(path)));
    return node ? std::optional(info(*node)) : std::nullopt;
  }

  std::optional<Info> lstat(const fs::path& path) override {
    std::lock_guard lock(mutex_);
    const auto* node = find(key(path));
    return node ? std::optional(info(*node)) : std::nullopt;
  }

  std::string read_file(const fs::path& path) override {
    std::lock_guard lock(mutex_);
    return file(path).inode->data;
  }

  void read_blocks(const fs::path& path,
                   std::size_t block_size,
                   const std::function<void(std::span<const std::byte>)>& sink) override {
    std::string data = read_file(path); // a copy: the sink may touch the Env
    for (std::size_t at = 0; at < data.size(); at += block_size) {
      const auto length = std::min(block_size, data.size() - at);
      sink(std::as_bytes(std::span(data.data() + at, length)));
    }
  }

  void write_file(const fs::path& path,
                  std::string_view content,
                  unsigned mode,
                  bool,
                  const fs::path&) override {
    make_directories(fs::path(key(path)).parent_path());
    std::lock_guard lock(mutex_);
    const auto name = key(path);
    if (const auto* existing = find(name); existing && existing->type == Type::directory) {
      throw Error(Failure::failed, "cannot replace folder " + name + " with a file");
    }
    auto inode = new_inode(mode);
    inode->data = std::string(content);
    nodes_[name] = Node{Type::file, std::move(inode), {}};
  }

  void rename(const fs::path& from, const fs::path& to) override {
    std::lock_guard lock(mutex_);
    const auto source = key(from);
    const auto target = key(to);
    auto it = nodes_.find(source);
    if (it == nodes_.end()) {
      throw Error(Failure::failed, "cannot rename " + source + ": no such file");
    }
    parent_folder(target);
    if (it->second.type == Type::directory) {
      // A folder moves with everything inside it.
      std::map<std::string, Node> moved;
      for (auto child = nodes_.begin(); child != nodes_.end();) {
        if (child->first == source || child->first.starts_with(source + "/")) {
          moved[target + child->first.substr(source.size())] = std::move(child->second);
          child = nodes_.erase(child);
        } else {
          ++child;
        }
      }
      nodes_.merge(moved);
      return;
    }
    Node node = std::move(it->second);
    nodes_.erase(it);
    nodes_[target] = std::move(node);
    touch();
  }

  bool remove(const fs::path& path) override {
    std::lock_guard lock(mutex_);
    const auto name = key(path);
    const auto it = nodes_.find(name);
    if (it == nodes_.end()) {
      return false;
    }
    if (it->second.type == Type::directory && !children(name).empty()) {
      throw Error(Failure::failed, "cannot remove " + name + ": the folder is not empty");
    }
    nodes_.erase(it);
    touch();
    return true;
  }

  void set_mode(const fs::path& path, unsigned mode) override {
    std::lock_guard lock(mutex_);
    auto* node = find(resolve(key(path)));
    if (node == nullptr) {
      throw Error(Failure::failed, "cannot set the mode of " + path.string() + ": no such file");
    }
    node->inode->mode = mode;
  }

  std::vector<Entry> list_directory(const fs::path& path) override {
    std::lock_guard lock(mutex_);
    const auto name = resolve(key(path));
    const auto* node = find(name);
    if (node == nullptr || node->type != Type::directory) {
      throw Error(Failure::not_found, "cannot list " + path.string() + ": not a folder");
    }
    return children(name);
  }

  void make_directories(const fs::path& path) override {
    std::lock_guard lock(mutex_);
    fs::path made = "/";
    for (const auto& part : fs::path(key(path)).relative_path()) {
      made /= part;
      const auto* node = find(made.string());
      if (node == nullptr) {
        nodes_[made.string()] = Node{Type::directory, new_inode(0755), {}};
      } else if (node->type != Type::directory) {
        throw Error(Failure::failed, "cannot create folder " + made.string() + ": a file is there");
      }
    }
  }

  bool hardlink(const fs::path& target, const fs::path& link) override {
    std::lock_guard lock(mutex_);
    const auto* source = find(key(target));
    if (source == nullptr || source->type != Type::file || !can_create(key(link))) {
      return false;
    }
    nodes_[key(link)] = *source;
    return true;
  }

  bool symlink(const fs::path& target, const fs::path& link) override {
    std::lock_guard lock(mutex_);
    if (!can_create(key(link))) {
      return false;
    }
    nodes_[key(link)] = Node{Type::symlink, new_inode(0777), target};
    return true;
  }

  bool reflink(const fs::path& target, const fs::path& link) override {
    std::lock_guard lock(mutex_);
    const auto* source = find(resolve(key(target)));
    if (source == nullptr || source->type != Type::file || !can_create(key(link))) {
      return false;
    }
    auto inode = new_inode(0644);
    inode->data = source->inode->data;
    nodes_[key(link)] = Node{Type::file, std::move(inode), {}};
    return true;
  }

private:
  // Absolute, normal, without a trailing slash: the map's key.
  static std::string key(const fs::path& path) {
    auto normal = (fs::path("/") / path).lexically_normal().string();
    while (normal.size() > 1 && normal.back() == '/') {
      normal.pop_back();
    }
    return normal;
  }

  std::string resolve(std::string name) const {
    for (int hops = 0; hops < 8; ++hops) {
      const auto* node = find(name);
      if (node == nullptr || node->type != Type::symlink) {
        return name;
      }
      const auto& target = node->link_target;
      name = key(target.is_absolute() ? target : fs::path(name).parent_path() / target);
    }
    return name;
  }

  const Node* find(const std::string& name) const {
    const auto it = nodes_.find(name);
    return it == nodes_.end() ? nullptr : &it->second;
  }
  Node* find(const std::string& name) {
    const auto it = nodes_.find(name);
    return it == nodes_.end() ? nullptr : &it->second;
  }

  const Node& file(const fs::path& path) const {
    const auto* node = find(resolve(key(path)));
    if (node == nullptr) {
      throw Error(Failure::not_found, "cannot open " + path.string() + ": no such file");
    }
    if (node->type != Type::file) {
      throw Error(Failure::failed, "cannot read " + path.string() + ": not a file");
    }
    return *node;
  }

  void parent_folder(const std::string& name) const {
    const auto* parent = find(resolve(fs::path(name).parent_path().string()));
    if (parent == nullptr || parent->type != Type::directory) {
      throw Error(Failure::failed, "cannot create " + name + ": no such folder");
    }
  }

  bool can_create(const std::string& name) const {
    const auto* parent = find(resolve(fs::path(name).parent_path().string()));
    return find(name) == nullptr && parent != nullptr && parent->type == Type::directory;
  }

  std::vector<Entry> children(const std::string& folder) const {
    const auto prefix = folder == "/" ? folder : folder + "/";
    std::vector<Entry> entries;
    for (auto it = nodes_.lower_bound(prefix); it != nodes_.end() && it->first.starts_with(prefix);
         ++it) {
      const auto rest = std::string_view(it->first).substr(prefix.size());
      if (!rest.empty() && rest.find('/') == std::string_view::npos) {
        entries.push_back({std::string(rest), it->second.type});
      }
    }
    return entries; // the map's order is the names' order within one folder
  }

  Info info(const Node& node) const {
    const auto size = node.type == Type::symlink ? node.link_target.string().size()
                      : node.type == Type::file  ? node.inode->data.size()
                                                 : 0;
    return Info{
        node.type,       size, node.inode->number, node.inode->mtime_ns, node.inode->mtime_ns,
        node.inode->mode};
  }

  std::shared_ptr<Inode> new_inode(unsigned mode) {
    auto inode = std::make_shared<Inode>();
    inode->number = ++last_inode_;
    inode->mtime_ns = touch();
    inode->mode = mode;
    return inode;
  }

  // Every change is a tick of the clock, so two writes never share an mtime.
  std::int64_t touch() { return clock_ns_ += 1'000'000; }

  std::mutex mutex_;
  std::map<std::string, Node> nodes_;
  std::uint64_t last_inode_ = 0;
  std::int64_t clock_ns_ = 1'700'000'000'000'000'000;
};

} // namespace

std::unique_ptr<Env> make_memory_env() {
  return std::make_unique<MemoryEnv>();
}

} // namespace mlv::util
