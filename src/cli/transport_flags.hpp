#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "cli/command.hpp"
#include "core/result.hpp"
#include "transport/copy.hpp"
#include "transport/open.hpp"

namespace distill::cli {

// --insecure and --ca-cert: how every command that reads an image reaches a
// registry (credentials come from `distill login`'s docker config.json).
void add_transport_options(CLI::App& sub, transport::Options& options);

// The required IMAGE argument of a command that reads one image, with one help
// text for every reference form transport::parse_image_ref takes, plus
// add_transport_options.
void add_image_argument(CLI::App& sub, std::string& image, transport::Options& options);

// The same plus --parallel and --chunk-size, for commands that write images.
void add_copy_options(CLI::App& sub, transport::CopyOptions& options);

// Prints "DST@sha256:..." and, unless -q, the blob counts.
void print_copy_result(const GlobalOptions& g, const transport::CopyResult& result);

// Copies SRC to DST (blob hints beside the cache, progress unless -q:
// core::Progress), prints "DST@sha256:..." and what was uploaded.
core::Result<transport::CopyResult> run_copy(const GlobalOptions& g, const std::string& src,
                                             const std::string& dst,
                                             const transport::CopyOptions& options);

}  // namespace distill::cli
