#include "lists.hpp"
#include "scanner.hpp"

#include <mlv/formats/joblib_array.hpp>
#include <mlv/scan/rules.hpp>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

namespace mlv::scan::detail {

namespace {

using formats::PickleRun;
using formats::PickleValue;
using Kind = formats::PickleValue::Kind;

constexpr std::string_view k_argument_category = "calls or looks up what the pickle passes it";

// torch.save's legacy format begins with its magic number pickled alone (LONG1, 10 bytes).
constexpr std::string_view k_torch_legacy_start =
    "\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19";
// ... followed by the protocol version, sys_info, the object and the storage keys; then raw
// storages that no unpickler reads.
constexpr int k_torch_legacy_pickles = 5;
// How deep a description of a callable built at load time goes ("<result of <result of f>>").
constexpr int k_max_description_depth = 3;

// "module.qualname" of a global; a description of anything else that is called.
std::string describe(const formats::PickleValue& value, int depth = 0) {
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
  case Kind::text:
    return "the string '" + value.text.substr(0, 64) + "'";
  default:
    return "<a non-callable value>";
  }
}

// The bytes a nested loader is given: pickle.loads(b), torch.load(io.BytesIO(b)).
const formats::PickleValue* payload_of(const formats::PickleValue& args) {
  const formats::PickleValue* first = args.item(0);
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
class PickleScan : public formats::PickleHooks {
public:
  // A probe reads bytes that joblib.load skips (array data) the way pickle.load would read
  // them: only what would be unsafe is reported, and joblib's arrays are not followed.
  enum class Mode { full, probe };

  PickleScan(Scanner& scanner, Mode mode, PickleFacts* facts)
      : scanner_(scanner), mode_(mode), facts_(facts) {}

  void on_global(formats::PickleValue& global) override {
    references_.push_back({global.text, global.name, global.offset, global.complete});
  }

  void on_call(const formats::PickleValue& callable,
               const formats::PickleValue& args,
               const formats::PickleValue&,
               std::uint64_t offset) override {
    if (callable.kind != Kind::global) {
      report(Severity::suspicious, describe(callable), offset, "calls a value made while loading");
      return;
    }
    calls_.push_back({callable.text, callable.name, offset, callable.complete, true});
    const std::string name = python3_name(callable.dotted_name());
    check_arguments(name, args, offset);
    if (mode_ == Mode::full && is_nested_loader(name)) {
      keep_payload(callable, args, offset);
    }
  }

  void on_global_changed(const formats::PickleValue& global,
                         char opcode,
                         std::uint64_t offset) override {
    // In bytes no pickle.dump wrote, text lines read as names: only a name an import could
    // find gets past its GLOBAL to be changed.
    if (!written_by_pickle() && !(identifier(global.text) && identifier(global.name))) {
      return;
    }
    const std::string how = opcode == 'b' ? "BUILD sets attributes of"
                            : opcode == 'a' || opcode == 'e' || opcode == '\x90'
                                ? "APPEND adds to"
                                : "SETITEM sets items of";
    report(Severity::unsafe, global.dotted_name(), offset,
           how + " a module or class the pickle imported, so that later names can resolve to "
                 "something else");
  }

  void on_persistent_id(const formats::PickleValue& pid, std::uint64_t) override {
    // PyTorch: ("storage", storage_type, key, location, numel).
    const formats::PickleValue* tag = pid.item(0);
    const formats::PickleValue* key = pid.item(2);
    if (facts_ != nullptr && tag != nullptr && tag->is_text("storage") && key != nullptr &&
        key->kind == Kind::text && key->complete) {
      facts_->storage_keys.push_back(key->text);
    }
  }

  void on_extension(std::uint32_t code, std::uint64_t offset) override {
    report(Severity::suspicious, "<extension code " + std::to_string(code) + ">", offset,
           "a callable from copyreg's extension registry, which the loading program fills");
  }

  void after_build(formats::PickleValue& object,
                   formats::PickleInput& input,
                   std::uint64_t frame_left) override {
    if (mode_ != Mode::full) {
      return;
    }
    if (formats::is_joblib_sidecar_wrapper(object)) {
      report(Severity::suspicious, "<unscanned>", input.offset(),
             "joblib's old NDArrayWrapper loads a file next to this one (numpy.load with "
             "allow_pickle=True) that is not part of this scan");
    }
    // joblib < 0.10's ZF files are read by its compatibility unpickler, which reads no array
    // behind a NumpyArrayWrapper: what follows is run as pickle opcodes, and scanned as such.
    if (scanner_.directly_inside("joblib-zfile")) {
      return;
    }
    const bool stepped = formats::step_over_joblib_array(
        object, input, frame_left, *this,
        [this](formats::PickleInput& data, std::uint64_t) { probe(data); });
    // joblib.load reads an array behind the wrapper; where the scanner cannot tell how much, it
    // cannot follow the file as joblib does.
    if (!stepped && formats::is_joblib_array_wrapper(object)) {
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
    std::map<std::pair<std::string, std::string>, Rating> ratings; // names repeat by the million
    for (const auto* use : uses) {
      // In bytes no pickle.dump wrote, a name no import could find (a text line) stops the
      // unpickler at its GLOBAL: nothing of it runs. Names computed while loading still count.
      const bool importable = identifier(use->module) && identifier(use->name);
      if (!written_by_pickle() && use->known && !importable) {
        continue;
      }
      auto cached = ratings.find({use->module, use->name});
      if (cached == ratings.end()) {
        cached =
            ratings
                .emplace(std::pair{use->module, use->name}, rate_callable(use->module, use->name))
                .first;
      }
      Rating rating = cached->second;
      if (!use->known && budget_exhausted) {
        rating = {Severity::unsafe, "a name the scanner could not resolve: the pickle holds more "
                                    "values than the scanner keeps"};
      } else if (!use->known && rating.severity == Severity::suspicious) {
        rating.reason = "a name computed while loading (not a constant of the pickle): the "
                        "scanner cannot tell what it is";
      } else if (!use->known && rating.severity) {
        rating.reason += " (in a name computed while loading)";
      }
      if (rating.severity) {
        report(*rating.severity, use->dotted(), use->offset, rating.reason);
        // In bytes no pickle.dump wrote, only unsafe findings are kept (text reads as noise),
        // but a call of a name an import could find is no noise: such bytes still run it.
        if (mode_ == Mode::full && scanner_.unsafe_only() && use->call &&
            rating.severity == Severity::suspicious && importable) {
          pending_.back().even_if_unsafe_only = true;
        }
      }
    }
    std::stable_sort(pending_.begin(), pending_.end(),
                     [](const Pending& a, const Pending& b) { return a.offset < b.offset; });
    for (auto& finding : pending_) {
      scanner_.add(finding.severity, std::move(finding.callable), finding.offset,
                   std::move(finding.reason), finding.even_if_unsafe_only);
    }
    pending_.clear();
    for (const auto& payload : payloads_) {
      Scanner::Layer layer(
          scanner_, "payload of " + payload.loader + " at " + std::to_string(payload.offset), {});
      scan_content(formats::MemorySource(payload.bytes, "payload"), scanner_);
    }
    payloads_.clear();
  }

private:
  struct Use {
    std::string module;
    std::string name;
    std::uint64_t offset = 0;
    bool known = true;
    bool call = false; // called, not only named
    std::string dotted() const { return module + "." + name; }
  };

  struct Pending {
    Severity severity;
    std::string callable;
    std::uint64_t offset;
    std::string reason;
    bool even_if_unsafe_only = false;
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

  // An allowed callable that calls or looks up one of its arguments (lists.hpp's argument
  // rules): unsafe when the pickle passes anything there but what the rule accepts.
  // An argument the scanner does not see (a value past its budget) is suspicious instead; an
  // absent one is a TypeError.
  void
  check_arguments(const std::string& name, const formats::PickleValue& args, std::uint64_t offset) {
    for (const auto& rule : argument_rules()) {
      if (rule.callable != name) {
        continue;
      }
      const formats::PickleValue* argument =
          args.kind == Kind::unknown ? &args : args.item(rule.index);
      if (argument != nullptr && argument->kind == Kind::unknown) {
        report(Severity::suspicious, name, offset,
               std::string(k_argument_category) + ": " + std::string(rule.why) +
                   ", and the scanner cannot see argument " + std::to_string(rule.index + 1));
        continue;
      }
      bool fine = true;
      switch (rule.must) {
      case ArgumentMust::be_a_global:
        fine = argument == nullptr || argument->kind == Kind::global;
        break;
      case ArgumentMust::be_absent_or_one:
        fine = argument == nullptr ||
               (argument->kind == Kind::global &&
                python3_name(argument->dotted_name()) == rule.name && argument->complete);
        break;
      case ArgumentMust::be_text:
        fine = argument == nullptr || (argument->kind == Kind::text && argument->complete);
        break;
      case ArgumentMust::be_text_or_global:
        fine = argument == nullptr || (argument->kind == Kind::text && argument->complete) ||
               argument->kind == Kind::global;
        break;
      }
      if (!fine) {
        report(Severity::unsafe, name, offset,
               std::string(k_argument_category) + ": " + std::string(rule.why) + " (argument " +
                   std::to_string(rule.index + 1) + " is " +
                   (argument == nullptr ? std::string("not known") : describe(*argument)) + ")");
      }
    }
  }

  void keep_payload(const formats::PickleValue& callable,
                    const formats::PickleValue& args,
                    std::uint64_t offset) {
    const std::string loader = callable.dotted_name();
    const formats::PickleValue* payload = payload_of(args);
    const formats::PickleValue* first = args.kind == Kind::unknown ? &args : args.item(0);
    if (payload == nullptr && first != nullptr && first->kind == Kind::unknown) {
      report(Severity::suspicious, loader, offset,
             "the scanner cannot see the bytes passed to " + loader + ", which it unpickles");
      return;
    }
    if (payload == nullptr) {
      // Bytes built at load time in a way the scanner does not evaluate: what the loader
      // unpickles cannot be scanned.
      if (rate_callable(callable.text, callable.name).severity == Severity::unsafe) {
        // The loader is unsafe by name already; say also why its payload was not looked into.
        report(Severity::suspicious, "<unscanned>", offset,
               "could not evaluate the bytes passed to " + loader);
        return;
      }
      // torch.storage._load_from_bytes is allowed because its payload is scanned: bytes made
      // while loading cannot be, and are whatever the pickle wants torch.load to run.
      report(Severity::unsafe, loader, offset,
             "the bytes passed to " + loader +
                 " are made while loading and cannot be scanned; it unpickles them");
      return;
    }
    if (!payload->complete) {
      report(Severity::suspicious, std::string(k_unscanned_callable), offset,
             "the payload passed to " + loader + " is too large to keep");
      return;
    }
    payloads_.push_back({loader, offset, payload->text});
  }

  void probe(formats::PickleInput& data) {
    Scanner::Layer layer(scanner_, "array data read as pickle opcodes", {});
    PickleScan probe(scanner_, Mode::probe, nullptr);
    const auto run = formats::run_pickle(data, probe);
    probe.finish(run.budget_exhausted);
  }

  // Bytes a pickle.dump wrote, rather than array data or other bytes read as opcodes.
  bool written_by_pickle() const { return mode_ == Mode::full && !scanner_.unsafe_only(); }

  // Whether `dotted` is a dotted name of ASCII identifiers, as every module and attribute an
  // import could find (random bytes and text lines rarely are).
  static bool identifier(std::string_view dotted) {
    bool start = true;
    for (const char c : dotted) {
      const bool letter = std::isalpha(static_cast<unsigned char>(c)) || c == '_';
      if (c == '.' && !start) {
        start = true;
      } else if (letter || (!start && std::isdigit(static_cast<unsigned char>(c)))) {
        start = false;
      } else {
        return false;
      }
    }
    return !start;
  }

  Scanner& scanner_;
  Mode mode_;
  PickleFacts* facts_;
  std::vector<Use> references_;
  std::vector<Use> calls_;
  std::vector<Pending> pending_;
  std::vector<Payload> payloads_;
};

std::string describe_end(const formats::PickleRun& run, const formats::PickleInput& input) {
  if (run.end == formats::PickleRun::End::invalid_opcode) {
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

formats::PickleRun scan_pickle(formats::PickleInput& input, Scanner& scanner, PickleFacts* facts) {
  PickleScan hooks(scanner, PickleScan::Mode::full, facts);
  auto run = formats::run_pickle(input, hooks);
  hooks.finish(run.budget_exhausted);
  scanner.count_pickle_stream();
  if (run.end != formats::PickleRun::End::stop) {
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

void scan_pickle_sequence(formats::PickleInput& input, Scanner& scanner, PickleFacts* facts) {
  Scanner::Layer layer(scanner, "pickle", {});
  const bool torch_legacy = input.peek(k_torch_legacy_start.size()) == k_torch_legacy_start;
  for (int count = 1;; ++count) {
    const auto run = scan_pickle(input, scanner, facts);
    if (run.end != formats::PickleRun::End::stop) {
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
    if (next.size() < 3 || !formats::starts_like_pickle(next)) {
      return;
    }
  }
}

} // namespace mlv::scan::detail
