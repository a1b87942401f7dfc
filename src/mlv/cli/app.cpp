#include <mlv/cli/app.hpp>
#include <mlv/cli/commands.hpp>
#include <mlv/cli/exit_code.hpp>
#include <mlv/cli/option_text.hpp>
#include <mlv/util/close_matches.hpp>
#include <mlv/util/error.hpp>
#include <mlv/util/interrupt.hpp>

#include <algorithm>
#include <exception>
#include <iostream>

namespace mlv::cli {

namespace {

constexpr const char* k_description =
    "mlv: version machine-learning model files with git.\n"
    "Git keeps small pointer files; the bytes live in a content-addressed cache and remotes.";

int report(const Error& error) {
  std::cerr << "mlv: error: " << render_option_refs(error.what()) << '\n';
  if (!error.hint().empty()) {
    std::cerr << "  hint: " << render_option_refs(error.hint()) << '\n';
  }
  return static_cast<int>(exit_code_for(error.kind()));
}

// "mlv remote frob" names a command that does not exist: CLI11 would only say that a
// subcommand is required. Says which word is unknown, what was probably meant, and where the
// list is. Only the word right after the program or a command group is checked: no option
// before it takes a value.
void check_command_words(const CLI::App& app, int argc, char** argv) {
  const CLI::App* level = &app;
  std::string path = "mlv";
  for (int i = 1; i < argc && level->get_require_subcommand_min() > 0; ++i) {
    const std::string word = argv[i];
    if (word == "--") {
      return;
    }
    if (word.starts_with("-")) {
      continue;
    }
    const auto commands =
        level->get_subcommands([](const CLI::App* command) { return !command->get_disabled(); });
    const auto found = std::find_if(commands.begin(), commands.end(), [&](const CLI::App* command) {
      return command->check_name(word);
    });
    if (found != commands.end()) {
      level = *found;
      path += " " + word;
      continue;
    }
    std::vector<std::string> names;
    for (const auto* command : commands) {
      names.push_back(command->get_name());
    }
    std::string message = "unknown command '" + word + "'";
    if (path != "mlv") {
      message = "unknown command '" + path.substr(4) + " " + word + "'";
    }
    if (const auto close = util::close_matches(word, names); !close.empty()) {
      message += "; did you mean ";
      for (std::size_t k = 0; k < close.size(); ++k) {
        message += (k == 0 ? "'" : k + 1 == close.size() ? " or '" : ", '") + close[k] + "'";
      }
      message += "?";
    }
    throw Error(Failure::usage, message, "run `" + path + " --help` to list the commands");
  }
}

} // namespace

int run(int argc, char** argv) {
  util::install_interrupt_cleanup();
  CLI::App app{k_description, "mlv"};
  app.require_subcommand(1);
  app.fallthrough();
  app.set_version_flag("--version", std::string("mlv ") + MLV_VERSION);
  Output output;
  app.add_flag("-q,--quiet", output.quiet, "Print only errors");
  app.add_flag("-v,--verbose", output.verbose, "Print more detail");

  register_init(app, output);
  register_add(app, output);
  register_status(app, output);
  register_checkout(app, output);
  register_verify(app, output);
  register_remote(app, output);
  register_config(app, output);
  register_transfer(app, output);
  register_get(app, output);
  register_remove(app, output);
  register_gc(app, output);
  register_show(app, output);
  register_diff(app, output);
  register_log(app, output);
  register_model(app, output);
  register_inspect(app, output);
  register_scan(app, output);

  try {
    check_command_words(app, argc, argv);
    app.parse(argc, argv);
    return 0;
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? 0 : static_cast<int>(ExitCode::usage);
  } catch (const Error& error) {
    output.end_progress();
    return report(error);
  } catch (const std::bad_alloc&) {
    return report(Error(Failure::failed, "out of memory"));
  } catch (const std::exception& error) {
    output.end_progress();
    return report(Error(Failure::failed, error.what(),
                        "this is unexpected; please report it with the command you ran"));
  }
}

} // namespace mlv::cli
