#include "scanner.hpp"

#include <mlv/inspect/joblib_array.hpp>
#include <mlv/scan/rules.hpp>

#include <algorithm>
#include <set>

namespace mlv::scan::detail {

namespace {

using inspect::PickleRun;
using inspect::PickleValue;
using Kind = PickleValue::Kind;

// torch.save's legacy format begins with its magic number pickled alone (LONG1, 10 bytes).
constexpr std::string_view k_torch_legacy_magic =
    "\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19";
// ... followed by the protocol version, sys_info, the object and the storage keys; then raw
// storages that no unpickler reads.
constexpr int k_torch_legacy_pickles = 5;
// How deep a description of a callable built at load time goes ("<result of <result of f>>").
constexpr int k_max_description_depth = 3;

// "module.qualname" of a global; a description of anything else that is called.
std::string describe(const PickleValue& value, int depth = 0) {
  switch (value.kind) {
  case Kind::global:
    return value.dotted_name();
  case Kind::object:
    if (value.callable == nullptr) {
      return "<persistent_load result>";
    }
    if (depth >= k_max_description_depth) {
      return "<result of ...>";
    }
    return "<result of " + describe(*value.callable, depth + 1) + ">";
  case Kind::unknown:
    return "?";
  default:
    return "<a non-callable value>";
  }
}

// The bytes a nested loader is given: pickle.loads(b), torch.load(io.BytesIO(b)).
const PickleValue* payload_of(const PickleValue& args) {
  const PickleValue* first = args.item(0);
  if (first != nullptr && first->kind == Kind::object && first->args != nullptr &&
      first->callable != nullptr &&
      (first->callable->dotted_name() == "io.BytesIO" ||
       first->callable->dotted_name() == "_io.BytesIO")) {
    first = first->args->item(0);
  }
  if (first != nullptr && (first->kind == Kind::bytes || first->kind == Kind::text)) {
    return first;
  }
  return nullptr;
}

// Reports what one pickle stream references and calls, as findings.
class PickleScan : public inspect::PickleHooks {
public:
  // A probe reads bytes that joblib.load skips (array data) the way pickle.load would read
  // them: only what would be unsafe is reported, and joblib's arrays are not followed.
  enum class Mode { full, probe };

  PickleScan(Scanner& scanner, Mode mode, PickleFacts* facts)
      : scanner_(scanner), mode_(mode), facts_(facts) {}

  void on_global(PickleValue& global) override {
    references_.push_back({global.text, global.name, global.offset, global.complete});
  }

  void on_call(const PickleValue& callable,
               const PickleValue& args,
               const PickleValue&,
               std::uint64_t offset) override {
    if (callable.kind != Kind::global) {
      report(Severity::suspicious, describe(callable), offset, "calls a value made while loading");
      return;
    }
    calls_.push_back({callable.text, callable.name, offset, callable.complete});
    if (mode_ == Mode::full && is_nested_loader(callable.dotted_name())) {
      keep_payload(callable.dotted_name(), args, offset);
    }
  }

  void on_persistent_id(const PickleValue& pid, std::uint64_t) override {
    // PyTorch: ("storage", storage_type, key, location, numel).
    const PickleValue* tag = pid.item(0);
    const PickleValue* key = pid.item(2);
    if (facts_ != nullptr && tag != nullptr && tag->is_text("storage") && key != nullptr &&
        key->kind == Kind::text && key->complete) {
      facts_->storage_keys.push_back(key->text);
    }
  }

  void on_extension(std::uint32_t code, std::uint64_t offset) override {
    report(Severity::suspicious, "<extension code " + std::to_string(code) + ">", offset,
           "a callable from copyreg's extension registry, which the loading program fills");
  }

  void
  after_build(PickleValue& object, inspect::PickleInput& input, std::uint64_t frame_left) override {
    if (mode_ != Mode::full) {
      return;
    }
    if (inspect::is_joblib_sidecar_wrapper(object)) {
      report(Severity::suspicious, "<unscanned>", input.offset(),
             "joblib's old NDArrayWrapper loads a file next to this one (numpy.load with "
             "allow_pickle=True) that is not part of this scan");
    }
    // joblib < 0.10's ZF files are read by its compatibility unpickler, which reads no array
    // behind a NumpyArrayWrapper: what follows is run as pickle opcodes, and scanned as such.
    if (scanner_.directly_inside("joblib-zfile")) {
      return;
    }
    const bool stepped = inspect::step_over_joblib_array(
        object, input, frame_left, *this,
        [this](inspect::PickleInput& data, std::uint64_t) { probe(data); });
    // joblib.load reads an array behind the wrapper; where the scanner cannot tell how much, it
    // cannot follow the file as joblib does.
    if (!stepped && inspect::is_joblib_array_wrapper(object)) {
      report(Severity::suspicious, "<unscanned>", input.offset(),
             "could not read the layout of a joblib NumpyArrayWrapper, so not where the pickle "
             "resumes behind its array");
    }
  }

  // Turns what was seen into findings, in offset order: every call of a global at the call,
  // and globals never called where they are named (loading imports their module there). Then
  // the payloads handed to nested loaders are scanned, each as a layer of its own. A name not
  // resolvable after the machine's value budget ran out is unsafe: the scanner cannot vouch
  // for it, while an unpickler would resolve it.
  void finish(bool budget_exhausted) {
    std::set<std::string> called;
    for (const auto& call : calls_) {
      called.insert(call.dotted());
    }
    std::vector<const Use*> uses;
    for (const auto& call : calls_) {
      uses.push_back(&call);
    }
    for (const auto& reference : references_) {
      if (!called.contains(reference.dotted())) {
        uses.push_back(&reference);
      }
    }
    for (const auto* use : uses) {
      Rating rating = rate_callable(use->module, use->name);
      if (!use->known && budget_exhausted) {
        rating = {Severity::unsafe, "a name the scanner could not resolve: the pickle holds more "
                                    "values than the scanner keeps"};
      } else if (!use->known && rating.severity) {
        rating.reason = "a name not resolvable statically";
      }
      if (rating.severity) {
        report(*rating.severity, use->dotted(), use->offset, rating.reason);
      }
    }
    std::stable_sort(pending_.begin(), pending_.end(),
                     [](const Pending& a, const Pending& b) { return a.offset < b.offset; });
    for (auto& finding : pending_) {
      scanner_.add(finding.severity, std::move(finding.callable), finding.offset,
                   std::move(finding.reason));
    }
    pending_.clear();
    for (const auto& payload : payloads_) {
      Scanner::Layer layer(
          scanner_, "payload of " + payload.loader + " at " + std::to_string(payload.offset), {});
      scan_content(inspect::MemorySource(payload.bytes, "payload"), scanner_);
    }
    payloads_.clear();
  }

private:
  struct Use {
    std::string module;
    std::string name;
    std::uint64_t offset = 0;
    bool known = true;
    std::string dotted() const { return module + "." + name; }
  };

  struct Pending {
    Severity severity;
    std::string callable;
    std::uint64_t offset;
    std::string reason;
  };

  struct Payload {
    std::string loader;
    std::uint64_t offset;
    std::string bytes;
  };

  void report(Severity severity, std::string callable, std::uint64_t offset, std::string reason) {
    if (mode_ == Mode::probe && severity != Severity::unsafe) {
      return;
    }
    pending_.push_back({severity, std::move(callable), offset, std::move(reason)});
  }

  void keep_payload(const std::string& loader, const PickleValue& args, std::uint64_t offset) {
    const PickleValue* payload = payload_of(args);
    if (payload == nullptr) {
      // Bytes built at load time in a way the scanner does not evaluate: what the loader
      // unpickles cannot be scanned.
      report(Severity::suspicious, "<unscanned>", offset,
             "could not evaluate the bytes passed to " + loader);
      return;
    }
    if (!payload->complete) {
      report(Severity::suspicious, "<unscanned>", offset,
             "the payload passed to " + loader + " is too large to keep");
      return;
    }
    payloads_.push_back({loader, offset, payload->text});
  }

  void probe(inspect::PickleInput& data) {
    Scanner::Layer layer(scanner_, "array data read as pickle opcodes", {});
    PickleScan probe(scanner_, Mode::probe, nullptr);
    const auto run = inspect::run_pickle(data, probe);
    probe.finish(run.budget_exhausted);
  }

  Scanner& scanner_;
  Mode mode_;
  PickleFacts* facts_;
  std::vector<Use> references_;
  std::vector<Use> calls_;
  std::vector<Pending> pending_;
  std::vector<Payload> payloads_;
};

std::string describe_end(const PickleRun& run, const inspect::PickleInput& input) {
  if (run.end == PickleRun::End::invalid_opcode) {
    return "the pickle stream breaks off at offset " + std::to_string(run.end_offset) +
           " (a byte that is no opcode); an unpickler stops there too";
  }
  std::string text = "the pickle stream ends at offset " + std::to_string(run.end_offset) +
                     " before its STOP opcode";
  if (!input.stream_error().empty()) {
    text += ": " + input.stream_error();
  }
  return text;
}

} // namespace

PickleRun scan_pickle(inspect::PickleInput& input, Scanner& scanner, PickleFacts* facts) {
  PickleScan hooks(scanner, PickleScan::Mode::full, facts);
  auto run = inspect::run_pickle(input, hooks);
  hooks.finish(run.budget_exhausted);
  scanner.count_pickle_stream();
  if (run.end != PickleRun::End::stop) {
    // Where the scanner stops, a loader that reads the container differently may read on.
    scanner.unscanned(run.end_offset,
                      "could not read the pickle to its end: " + describe_end(run, input));
  }
  if (run.budget_exhausted) {
    scanner.note("the pickle holds more values than the scanner keeps; names were still checked "
                 "as they were read");
  }
  return run;
}

void scan_pickle_sequence(inspect::PickleInput& input, Scanner& scanner, PickleFacts* facts) {
  Scanner::Layer layer(scanner, "pickle", {});
  const bool torch_legacy = input.peek(k_torch_legacy_magic.size()) == k_torch_legacy_magic;
  for (int count = 1;; ++count) {
    const auto run = scan_pickle(input, scanner, facts);
    if (run.end != PickleRun::End::stop) {
      return;
    }
    if (torch_legacy) {
      if (count == k_torch_legacy_pickles) {
        return;
      }
      continue;
    }
    // Another pickle right behind this one is read by a program that calls load() again.
    const auto next = input.peek(3);
    if (next.size() < 3 || !inspect::starts_like_pickle(next)) {
      return;
    }
  }
}

} // namespace mlv::scan::detail
