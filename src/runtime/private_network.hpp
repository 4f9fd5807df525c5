#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/unique_fd.hpp"
#include "runtime/port_mapping.hpp"

namespace distill::runtime {

// A network namespace of its own for a container, with outbound
// connectivity and `ports` forwarded from the host by pasta (Debian's
// `passt` package). A forked holder process creates the namespace (and
// drops every capability, so that pasta may open it), starts pasta as its
// own child and keeps both alive; runc joins the namespace by path. When
// this object goes, or when distill dies (the holder reads the end of a
// pipe only we write to), the holder stops pasta (SIGTERM, then SIGKILL),
// reaps it and exits; we reap the holder. A detached container's network is
// handed over instead: it then ends with the container's process.
class PrivateNetwork {
 public:
  // Starts the holder and pasta and waits until pasta is ready (its ports
  // bound, the namespace's interface configured); `work_dir` is a private
  // folder of ours for pasta's pid and log files.
  static core::Result<PrivateNetwork> start(const std::vector<PortMapping>& ports,
                                            const std::string& work_dir);
  ~PrivateNetwork();
  PrivateNetwork(PrivateNetwork&& o) noexcept;
  PrivateNetwork& operator=(PrivateNetwork&&) = delete;
  PrivateNetwork(const PrivateNetwork&) = delete;
  PrivateNetwork& operator=(const PrivateNetwork&) = delete;

  // The namespace, for the runtime spec: /proc/<holder>/ns/net.
  std::string netns_path() const;
  // For a detached container (`run -d -p`): the holder and pasta stay when
  // this object goes, and end when `container` (its process 1 on the host,
  // which must be in the namespace) exits. Nothing is owned afterwards.
  core::Status hand_over(pid_t container);

 private:
  PrivateNetwork(pid_t holder, core::UniqueFd to_holder)
      : holder_(holder), to_holder_(std::move(to_holder)) {}
  void stop();

  pid_t holder_ = -1;
  core::UniqueFd to_holder_;
};

// pasta from $PATH (or /usr/bin), or an error saying how to get it.
core::Result<std::string> find_pasta();

// The ERROR lines of pasta's log, without their timestamps, joined by "; ".
std::string pasta_errors(std::string_view log);

}  // namespace distill::runtime
