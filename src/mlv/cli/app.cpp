#include <mlv/cli/app.hpp>
#include <mlv/cli/commands.hpp>
#include <mlv/util/error.hpp>
#include <mlv/util/interrupt.hpp>

#include <exception>
#include <iostream>

namespace mlv::cli {

namespace {

constexpr const char* k_description =
    "mlv: version machine-learning model files with git.\n"
    "Git keeps small pointer files; the bytes live in a content-addressed cache and remotes.";

int report(const Error& error) {
  std::cerr << "mlv: error: " << error.what() << '\n';
  if (!error.hint().empty()) {
    std::cerr << "  hint: " << error.hint() << '\n';
  }
  return static_cast<int>(error.code());
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
    app.parse(argc, argv);
    return 0;
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? 0 : static_cast<int>(ExitCode::usage);
  } catch (const Error& error) {
    output.end_progress();
    return report(error);
  } catch (const std::bad_alloc&) {
    return report(Error(ExitCode::failure, "out of memory"));
  } catch (const std::exception& error) {
    output.end_progress();
    return report(Error(ExitCode::failure, error.what(),
                        "this is unexpected; please report it with the command you ran"));
  }
}

} // namespace mlv::cli
