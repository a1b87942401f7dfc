#include <mlv/formats/joblib_array.hpp>
#include <mlv/formats/pickle_machine.hpp>

#include <algorithm>
#include <array>
#include <string_view>
#include <unordered_set>

namespace mlv::formats {

namespace {

using Kind = PickleValue::Kind;

// Arrays listed per stream at most (a hostile file may announce millions).
constexpr std::size_t k_max_arrays = 100000;

// Callables that build an instance of the class given as their first argument.
constexpr std::array<std::string_view, 5> k_reconstructors = {
    "copyreg._reconstructor", "copy_reg._reconstructor", "copyreg.__newobj__",
    "copyreg.__newobj_ex__", "copy_reg.__newobj__"};

// Collects the globals a stream references, and follows joblib's inline arrays.
class SummaryHooks : public PickleHooks {
public:
  void on_global(PickleValue& global) override {
    auto name = global.dotted_name();
    if (seen_.insert(name).second) {
      globals_.push_back(std::move(name));
    }
  }

  void after_build(PickleValue& object, PickleInput& input, std::uint64_t frame_left) override {
    if (const auto array = joblib_array_of(object); array && arrays_.size() < k_max_arrays) {
      arrays_.push_back({array->dtype, array->shape, array->data_size, array->object_dtype});
    }
    step_over_joblib_array(object, input, frame_left, *this, {});
  }

  std::vector<std::string> take_globals() { return std::move(globals_); }
  std::vector<PickleArray> take_arrays() { return std::move(arrays_); }

private:
  std::vector<std::string> globals_;
  std::vector<PickleArray> arrays_;
  std::unordered_set<std::string> seen_;
};

} // namespace

std::vector<std::string> builder_names(const PickleValue& value) {
  switch (value.kind) {
  case Kind::object: {
    if (value.callable == nullptr) {
      return {"persistent_load"};
    }
    if (value.callable->kind != Kind::global) {
      return {};
    }
    const auto name = value.callable->dotted_name();
    const PickleValue* cls = value.args != nullptr ? value.args->item(0) : nullptr;
    if (cls != nullptr && cls->kind == Kind::global &&
        std::find(k_reconstructors.begin(), k_reconstructors.end(), name) !=
            k_reconstructors.end()) {
      return {cls->dotted_name()};
    }
    return {name};
  }
  case Kind::global:
    return {value.dotted_name()};
  case Kind::dict:
    return {"builtins.dict"};
  case Kind::list:
    return {"builtins.list"};
  case Kind::tuple:
    return {"builtins.tuple"};
  case Kind::set:
    return {"builtins.set"};
  case Kind::text:
    return {"builtins.str"};
  case Kind::bytes:
    return {"builtins.bytes"};
  case Kind::integer:
    return {"builtins.int"};
  case Kind::boolean:
    return {"builtins.bool"};
  case Kind::none:
    return {"builtins.NoneType"};
  case Kind::unknown:
    return {};
  }
  return {};
}

PickleSummary summarize_pickle(ByteStream& stream) {
  return summarize_pickle(stream, 0);
}

PickleSummary summarize_pickle(ByteStream& stream, std::size_t preceding) {
  PickleInput input(stream);
  for (std::size_t i = 0; i < preceding; ++i) {
    PickleHooks skipped;
    if (run_pickle(input, skipped).end != PickleRun::End::stop) {
      return {}; // the sequence ends early: there is no such pickle
    }
  }
  SummaryHooks hooks;
  const auto run = run_pickle(input, hooks);
  PickleSummary summary;
  summary.protocol = run.protocol;
  summary.complete = run.end == PickleRun::End::stop;
  if (run.root != nullptr) {
    summary.root_classes = builder_names(*run.root);
  }
  summary.globals = hooks.take_globals();
  summary.arrays = hooks.take_arrays();
  return summary;
}

} // namespace mlv::formats
