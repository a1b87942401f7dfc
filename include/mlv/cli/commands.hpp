#pragma once

#include <mlv/cli/output.hpp>
#include <mlv/workspace/checkout.hpp>

#include <CLI/CLI.hpp>

namespace mlv::cli {

// Each registers one command group on the app; the callbacks throw mlv::Error on failure.
void register_init(CLI::App& app, Output& output);
void register_add(CLI::App& app, Output& output);
void register_status(CLI::App& app, Output& output);
void register_checkout(CLI::App& app, Output& output);
void register_verify(CLI::App& app, Output& output);
void register_remote(CLI::App& app, Output& output);
void register_config(CLI::App& app, Output& output);
void register_transfer(CLI::App& app, Output& output);
void register_get(CLI::App& app, Output& output);
void register_remove(CLI::App& app, Output& output);
void register_gc(CLI::App& app, Output& output);
void register_show(CLI::App& app, Output& output);
void register_diff(CLI::App& app, Output& output);
void register_log(CLI::App& app, Output& output);
void register_model(CLI::App& app, Output& output);
void register_inspect(CLI::App& app, Output& output);
void register_scan(CLI::App& app, Output& output);

// Shared by checkout and pull.
void print_checkout(const Output& output, const std::vector<workspace::CheckoutResult>& results);

// --allow-unsafe and --allow-suspicious of checkout, pull and get; a file let through is
// reported as a note.
void add_allow_unsafe_flag(CLI::App& command,
                           workspace::SafetyOptions& safety,
                           const Output& output);

} // namespace mlv::cli
