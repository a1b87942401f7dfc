#include <mlv/history/diff.hpp>
#include <mlv/pointer/meta_values.hpp>
#include <mlv/util/error.hpp>
#include <mlv/workspace/tracked.hpp>

#include <cmath>
#include <cstdio>
#include <map>

namespace mlv::history {

namespace {

constexpr const char* k_workspace_label = "workspace";
constexpr const char* k_default_old_revision = "HEAD";
constexpr int k_exponent_significant_digits = 6;

using PointerMap = std::map<std::string, pointer::Pointer>; // by pointer path

PointerMap commit_pointers(workspace::Context& context, const std::string& commit) {
  PointerMap pointers;
  for (const auto& file : context.git().files_with_suffix(commit, std::string(pointer::k_suffix))) {
    pointers.emplace(file.path, pointer::parse_pointer(file.content, file.path + " at commit " +
                                                                         commit.substr(0, 12)));
  }
  return pointers;
}

PointerMap workspace_pointers(workspace::Context& context) {
  PointerMap pointers;
  for (auto& tracked : workspace::workspace_pointers(context, {})) {
    pointers.emplace(tracked.pointer_path, std::move(tracked.pointer));
  }
  context.finish(); // a diff that left a pointer out would misreport it as removed
  return pointers;
}

// Digits after the decimal point as written ("0.930" has 3); nullopt for exponent notation.
std::optional<int> decimal_places(const std::string& text) {
  if (text.find_first_of("eE") != std::string::npos) {
    return std::nullopt;
  }
  const auto dot = text.find('.');
  return dot == std::string::npos ? 0 : static_cast<int>(text.size() - dot - 1);
}

// The delta rounded to the inputs' precision, so 0.93 - 0.91 reads +0.02, not +0.0200000001.
void set_delta(ValueChange& change, double old_number, double new_number) {
  const auto places_old = decimal_places(change.old_node.Scalar());
  const auto places_new = decimal_places(change.new_node.Scalar());
  char text[64];
  double delta = new_number - old_number;
  if (places_old && places_new) {
    const int places = std::max(*places_old, *places_new);
    const double scale = std::pow(10.0, places);
    delta = std::round(delta * scale) / scale;
    std::snprintf(text, sizeof text, "%+.*f", places, delta);
  } else {
    std::snprintf(text, sizeof text, "%+.*g", k_exponent_significant_digits, delta);
  }
  change.delta = delta == 0.0 ? 0.0 : delta; // no "-0"
  change.delta_text = text;
}

YAML::Node meta_map(const std::optional<pointer::Pointer>& pointer, const char* key) {
  if (!pointer || !pointer->meta || !pointer->meta.IsMap()) {
    return YAML::Node();
  }
  return pointer->meta[key];
}

DiffEntry compare(cache::Cache& cache,
                  const std::string& pointer_path,
                  const std::optional<pointer::Pointer>& old_pointer,
                  const std::optional<pointer::Pointer>& new_pointer) {
  DiffEntry entry;
  entry.pointer_path = pointer_path;
  const auto& any = new_pointer ? *new_pointer : *old_pointer;
  entry.path = workspace::data_path_for(pointer_path, any);
  entry.old_pointer = old_pointer;
  entry.new_pointer = new_pointer;
  if (!old_pointer) {
    entry.change = Change::added;
  } else if (!new_pointer) {
    entry.change = Change::removed;
  } else {
    entry.change =
        old_pointer->sha256 != new_pointer->sha256 || old_pointer->kind != new_pointer->kind
            ? Change::modified
            : Change::metadata;
  }
  if (entry.change == Change::modified && old_pointer->kind == pointer::Kind::dir &&
      new_pointer->kind == pointer::Kind::dir) {
    const auto old_listing = cache.read_dir(old_pointer->sha256);
    const auto new_listing = cache.read_dir(new_pointer->sha256);
    if (old_listing && new_listing) {
      entry.files = workspace::folder_changes(*old_listing, *new_listing);
    }
  }
  entry.metrics = value_changes(meta_map(old_pointer, "metrics"), meta_map(new_pointer, "metrics"));
  entry.params = value_changes(meta_map(old_pointer, "params"), meta_map(new_pointer, "params"));
  return entry;
}

} // namespace

std::string change_name(Change change) {
  switch (change) {
  case Change::added:
    return "added";
  case Change::removed:
    return "removed";
  case Change::modified:
    return "modified";
  case Change::metadata:
    return "metadata";
  }
  return "modified";
}

std::vector<ValueChange> value_changes(const YAML::Node& old_map, const YAML::Node& new_map) {
  struct Sides {
    std::optional<YAML::Node> old_node;
    std::optional<YAML::Node> new_node;
  };
  std::map<std::string, Sides> values;
  std::vector<std::string> order; // old keys in order, then keys only the new side has
  for (const auto& [key, node] : pointer::flatten(old_map)) {
    order.push_back(key);
    values[key].old_node = node;
  }
  for (const auto& [key, node] : pointer::flatten(new_map)) {
    if (!values.contains(key)) {
      order.push_back(key);
    }
    values[key].new_node = node;
  }
  std::vector<ValueChange> changes;
  for (const auto& key : order) {
    const auto& sides = values[key];
    ValueChange change;
    change.key = key;
    if (sides.old_node) {
      change.old_value = pointer::display_text(*sides.old_node);
      change.old_node = *sides.old_node;
    }
    if (sides.new_node) {
      change.new_value = pointer::display_text(*sides.new_node);
      change.new_node = *sides.new_node;
    }
    if (change.old_value == change.new_value) {
      continue;
    }
    const auto old_number = sides.old_node ? pointer::number_value(*sides.old_node) : std::nullopt;
    const auto new_number = sides.new_node ? pointer::number_value(*sides.new_node) : std::nullopt;
    if (old_number && new_number) {
      set_delta(change, *old_number, *new_number);
    }
    changes.push_back(std::move(change));
  }
  return changes;
}

DiffResult diff(workspace::Context& context, const std::vector<std::string>& revisions) {
  if (revisions.size() > 2) {
    throw Error(Failure::usage, "mlv diff compares at most two revisions",
                "give REV_A and REV_B, one revision, or none");
  }
  DiffResult result;
  auto& git = context.git();
  result.old_label = revisions.empty() ? k_default_old_revision : revisions[0];
  if (revisions.empty() && !git.head_commit()) {
    throw Error(Failure::invalid_input, "there is no commit to compare with yet (HEAD is unborn)",
                "commit first, or give two revisions");
  }
  result.old_commit = git.resolve_commit(result.old_label);
  const auto old_pointers = commit_pointers(context, *result.old_commit);
  PointerMap new_pointers;
  if (revisions.size() == 2) {
    result.new_label = revisions[1];
    result.new_commit = git.resolve_commit(revisions[1]);
    new_pointers = commit_pointers(context, *result.new_commit);
  } else {
    result.new_label = k_workspace_label;
    new_pointers = workspace_pointers(context);
  }

  std::map<std::string, std::pair<std::optional<pointer::Pointer>, std::optional<pointer::Pointer>>>
      sides;
  for (const auto& [path, parsed] : old_pointers) {
    sides[path].first = parsed;
  }
  for (const auto& [path, parsed] : new_pointers) {
    sides[path].second = parsed;
  }
  for (const auto& [path, pair] : sides) {
    const auto& [old_pointer, new_pointer] = pair;
    if (old_pointer && new_pointer &&
        pointer::serialize_pointer(*old_pointer) == pointer::serialize_pointer(*new_pointer)) {
      continue;
    }
    result.entries.push_back(compare(context.cache(), path, old_pointer, new_pointer));
  }
  return result;
}

} // namespace mlv::history
