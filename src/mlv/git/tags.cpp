#include "libgit2_support.hpp"

#include <mlv/git/repository.hpp>

#include <cstdlib>
#include <string_view>

namespace mlv::git {

namespace {

using namespace detail;

constexpr std::string_view k_tags_prefix = "refs/tags/";

// A tag reference as git_tag_foreach reports it.
struct TagReference {
  std::string name; // without refs/tags/
  git_oid target;
};

// Reads what a tag reference points to: an annotated tag object (message, tagger) peeled to
// its commit, or a commit directly. False when it names no commit (a tag of a tree or blob).
bool describe_tag(git_repository* repo, const git_oid& target, TagInfo& info) {
  Object object;
  check(git_object_lookup(object.out(), repo, &target, GIT_OBJECT_ANY), "read tag " + info.name);
  if (git_object_type(object.get()) == GIT_OBJECT_TAG) {
    const auto* tag = reinterpret_cast<const git_tag*>(object.get());
    info.annotated = true;
    const char* message = git_tag_message(tag);
    info.message = message != nullptr ? message : "";
    if (const git_signature* tagger = git_tag_tagger(tag)) {
      info.tagger = tagger->name != nullptr ? tagger->name : "";
      info.tagger_email = tagger->email != nullptr ? tagger->email : "";
      info.time = static_cast<std::int64_t>(tagger->when.time);
    }
  }
  Object commit;
  if (git_object_peel(commit.out(), object.get(), GIT_OBJECT_COMMIT) < 0) {
    return false;
  }
  info.commit = oid_hex(git_object_id(commit.get()));
  if (!info.annotated) {
    info.time = static_cast<std::int64_t>(
        git_commit_time(reinterpret_cast<const git_commit*>(commit.get())));
  }
  return true;
}

// Only copies what libgit2 reports: nothing here may throw through libgit2's C frames.
int collect_tag(const char* reference_name, git_oid* target, void* payload) {
  auto* found = static_cast<std::vector<TagReference>*>(payload);
  std::string_view name(reference_name);
  if (name.starts_with(k_tags_prefix)) {
    name.remove_prefix(k_tags_prefix.size());
  }
  try {
    found->push_back({std::string(name), *target});
  } catch (...) {
    return -1; // out of memory: stop the walk, reported by check() below
  }
  return 0;
}

// An environment variable's value, or nullopt when unset or empty.
std::optional<std::string> environment(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') {
    return std::nullopt;
  }
  return std::string(value);
}

std::optional<std::string> config_string(git_config* config, const char* key) {
  git_buf value = GIT_BUF_INIT;
  if (git_config_get_string_buf(&value, config, key) < 0) {
    return std::nullopt;
  }
  std::string text(value.ptr, value.size);
  git_buf_dispose(&value);
  if (text.empty()) {
    return std::nullopt;
  }
  return text;
}

// The tagger: GIT_COMMITTER_NAME/EMAIL override user.name/email, as for `git tag`.
git_signature* tagger_signature(git_repository* repo) {
  git_config* config = nullptr;
  check(git_repository_config_snapshot(&config, repo), "read the git configuration");
  auto name = environment("GIT_COMMITTER_NAME");
  auto email = environment("GIT_COMMITTER_EMAIL");
  if (!name) {
    name = config_string(config, "user.name");
  }
  if (!email) {
    email = config_string(config, "user.email");
  }
  git_config_free(config);
  if (!name || !email) {
    throw Error(Failure::invalid_input,
                std::string("no git identity to sign the tag with: ") +
                    (!name ? "user.name" : "user.email") + " is not set",
                "set it with `git config user.name \"Your Name\"` and "
                "`git config user.email you@example.com` (or `--global`)");
  }
  git_signature* signature = nullptr;
  if (git_signature_now(&signature, name->c_str(), email->c_str()) < 0) {
    throw Error(Failure::invalid_input,
                "the git identity '" + *name + " <" + *email +
                    ">' is not valid: " + last_error_text(),
                "fix user.name and user.email with `git config`");
  }
  return signature;
}

} // namespace

bool Repository::is_valid_tag_name(const std::string& name) {
  ensure_initialised();
  int valid = 0;
  const auto reference = std::string(k_tags_prefix) + name;
  return git_reference_name_is_valid(&valid, reference.c_str()) == 0 && valid == 1;
}

std::vector<TagInfo> Repository::tags(const std::function<bool(const std::string&)>& wanted) const {
  std::vector<TagReference> references;
  check(git_tag_foreach(repo_, collect_tag, &references), "list tags");
  std::vector<TagInfo> found;
  for (const auto& reference : references) {
    TagInfo info;
    info.name = reference.name;
    if (wanted(info.name) && describe_tag(repo_, reference.target, info)) {
      found.push_back(std::move(info));
    }
  }
  return found;
}

std::optional<TagInfo> Repository::find_tag(const std::string& name) const {
  if (!is_valid_tag_name(name)) {
    return std::nullopt;
  }
  git_oid target;
  const auto reference = std::string(k_tags_prefix) + name;
  if (git_reference_name_to_id(&target, repo_, reference.c_str()) < 0) {
    return std::nullopt;
  }
  TagInfo info;
  info.name = name;
  if (!describe_tag(repo_, target, info)) {
    return std::nullopt;
  }
  return info;
}

TagInfo Repository::create_tag(const std::string& name,
                               const std::string& commit,
                               const std::string& message) {
  if (!is_valid_tag_name(name)) {
    throw Error(Failure::invalid_input, "'" + name + "' is not a valid git tag name",
                "see `git help check-ref-format` for what a tag name may contain");
  }
  const auto oid = parse_oid(commit);
  Object target;
  check(git_object_lookup(target.out(), repo_, &oid, GIT_OBJECT_COMMIT), "read commit " + commit);
  Signature tagger;
  tagger.ptr = tagger_signature(repo_);
  git_oid tag_oid;
  const int result =
      git_tag_create(&tag_oid, repo_, name.c_str(), target.get(), tagger.get(), message.c_str(), 0);
  if (result == GIT_EEXISTS) {
    throw Error(Failure::conflict, "tag '" + name + "' already exists",
                "`git show " + name + "` shows it; choose another name or version");
  }
  check(result, "create tag " + name);
  auto created = find_tag(name);
  if (!created) {
    throw Error(Failure::failed, "git: tag " + name + " was created but cannot be read back");
  }
  return *created;
}

} // namespace mlv::git
