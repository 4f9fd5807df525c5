#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace distill::runtime {

// Where a named container is in its life, as its record says. The record
// is written before each step, so a distill that dies mid-way leaves a
// phase that tells the next `distill ps` what to undo.
enum class Phase {
  kCreating,    // the bundle is being unpacked or runc is starting it
  kRunning,     // runc started it detached; runc's state says whether it still runs
  kForeground,  // a foreground `distill run --name`: alive while its distill holds the lock
  kRemoving,    // `distill stop` is deleting it
};

std::string_view phase_name(Phase phase);

// The small JSON file kept per container in distill's state folder.
struct ContainerRecord {
  std::string name;
  std::string image;   // the reference as given
  std::string digest;  // the manifest's digest
  std::vector<std::string> command;
  int64_t created = 0;  // seconds since the epoch
  int pid = 0;          // the container's process 1 on the host, once started
  Phase phase = Phase::kCreating;
};

std::string record_json(const ContainerRecord& record);
core::Result<ContainerRecord> parse_record(std::string_view json);

// How a detached container ended, recorded by its monitor (exit.json): the
// exit code of its process 1 (128+N when signal N killed it) and when.
struct ExitRecord {
  int code = 0;
  int64_t finished = 0;
};

std::string exit_record_json(int code, int64_t finished);
core::Result<ExitRecord> parse_exit_record(std::string_view json);

// Docker's rule: [a-zA-Z0-9][a-zA-Z0-9_.-]*, here also at most 128
// characters (the name is a folder name and runc's container id).
core::Status validate_container_name(std::string_view name);

// "distill-" and 12 hex digits from `random_bytes` (6 bytes, or more).
std::string generated_container_name(std::string_view random_bytes);

// What runc says about a container (`runc state`).
enum class RuncStatus { kRunning, kStopped, kCreated, kPaused, kAbsent };

// What `distill ps` makes of a container folder: shown with a status, or a
// leftover to delete (runc's container, then the folder).
struct Verdict {
  bool remove = false;
  std::string status;  // "running", "exited", "creating", "removing"; empty when removed
};

// `locked`: a live distill holds the folder's lock (creating, stopping, or
// running it in the foreground): never touched. Otherwise a folder without
// a readable record, one whose distill died mid-creation or mid-stop, one
// whose foreground distill is gone and one runc no longer knows are
// leftovers; a detached container that has exited is kept (ps -a, logs).
Verdict judge_container(const std::optional<ContainerRecord>& record, bool locked, RuncStatus runc);

}  // namespace distill::runtime
