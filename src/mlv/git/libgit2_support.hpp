#pragma once

// Private to the git module: the one place that turns libgit2 return codes into mlv::Error and
// owns libgit2 objects, shared by the files that implement git::Repository.

#include <mlv/util/error.hpp>

#include <git2.h>

#include <string>

namespace mlv::git::detail {

// libgit2 needs one global initialisation before its first use in the process.
inline void ensure_initialised() {
  static const int initialised = git_libgit2_init();
  (void)initialised;
}

inline std::string last_error_text() {
  const git_error* error = git_error_last();
  return error != nullptr && error->message != nullptr ? error->message : "unknown libgit2 error";
}

// Turns a libgit2 failure into an mlv::Error that says what was being done.
inline void check(int result, const std::string& action) {
  if (result < 0) {
    throw Error(Failure::failed, "git: " + action + ": " + last_error_text());
  }
}

// Owns one libgit2 object and frees it with its matching free function.
template <typename T, void (*Free)(T*)>
struct Owned {
  T* ptr = nullptr;
  Owned() = default;
  Owned(const Owned&) = delete;
  Owned& operator=(const Owned&) = delete;
  ~Owned() {
    if (ptr != nullptr) {
      Free(ptr);
    }
  }
  T** out() { return &ptr; }
  T* get() const { return ptr; }
};

using Object = Owned<git_object, git_object_free>;
using Commit = Owned<git_commit, git_commit_free>;
using Tree = Owned<git_tree, git_tree_free>;
using TreeEntry = Owned<git_tree_entry, git_tree_entry_free>;
using Blob = Owned<git_blob, git_blob_free>;
using Index = Owned<git_index, git_index_free>;
using Reference = Owned<git_reference, git_reference_free>;
using ReferenceIterator = Owned<git_reference_iterator, git_reference_iterator_free>;
using Revwalk = Owned<git_revwalk, git_revwalk_free>;
using Tag = Owned<git_tag, git_tag_free>;
using Signature = Owned<git_signature, git_signature_free>;

inline std::string oid_hex(const git_oid* oid) {
  char text[GIT_OID_HEXSZ + 1] = {};
  git_oid_tostr(text, sizeof text, oid);
  return text;
}

inline git_oid parse_oid(const std::string& hex) {
  git_oid oid;
  check(git_oid_fromstr(&oid, hex.c_str()), "parse object id " + hex);
  return oid;
}

inline std::string blob_text(git_blob* blob) {
  return std::string(static_cast<const char*>(git_blob_rawcontent(blob)),
                     static_cast<std::size_t>(git_blob_rawsize(blob)));
}

} // namespace mlv::git::detail
