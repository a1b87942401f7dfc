#include <mlv/workspace/summary_node.hpp>

#include <variant>

namespace mlv::workspace {

namespace {

template <class Item>
YAML::Node flow_list(const std::vector<Item>& items) {
  YAML::Node list(YAML::NodeType::Sequence);
  list.SetStyle(YAML::EmitterStyle::Flow);
  for (const auto& item : items) {
    list.push_back(item);
  }
  return list;
}

YAML::Node value_node(const inspect::Value& value) {
  struct Visitor {
    YAML::Node operator()(const std::string& text) const { return YAML::Node(text); }
    YAML::Node operator()(std::int64_t number) const { return YAML::Node(number); }
    YAML::Node operator()(std::uint64_t number) const { return YAML::Node(number); }
    YAML::Node operator()(double number) const { return YAML::Node(number); }
    YAML::Node operator()(bool flag) const { return YAML::Node(flag); }
    YAML::Node operator()(const std::vector<std::string>& items) const { return flow_list(items); }
    YAML::Node operator()(const std::vector<std::int64_t>& sizes) const { return flow_list(sizes); }
  };
  return std::visit(Visitor{}, value);
}

} // namespace

YAML::Node summary_node(const std::vector<inspect::Field>& summary) {
  if (summary.empty()) {
    return YAML::Node();
  }
  YAML::Node node(YAML::NodeType::Map);
  for (const auto& field : summary) {
    node[field.key] = value_node(field.value);
  }
  return node;
}

} // namespace mlv::workspace
