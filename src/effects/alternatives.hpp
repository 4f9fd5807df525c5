#pragma once

#include <string>
#include <vector>

#include "core/result.hpp"
#include "effects/tree.hpp"

namespace distill::effects {

// One `update-alternatives --install LINK NAME PATH PRIORITY [--slave LINK NAME PATH]...`.
struct Alternative {
  struct Slave {
    std::string link;
    std::string name;
    std::string path;
  };
  std::string link;  // "/usr/bin/java"
  std::string name;  // "java"
  std::string path;  // "/usr/lib/jvm/java-17-openjdk-amd64/bin/java"
  int priority = 0;
  std::vector<Slave> slaves;
};

// The arguments after "update-alternatives". Options that only change
// messages (--quiet, --verbose, --force) are accepted; others that would
// move the administrative folders are refused.
core::Result<Alternative> parse_alternative_install(const std::vector<std::string>& argv);

// Every alternative the packages install, and the choice a fresh system's
// automatic mode makes: per name, the highest priority among those whose
// path exists in the image (a tie goes to the path that sorts first, so the
// choice never depends on configure order).
class AlternativesTable {
 public:
  void add(Alternative alternative);

  // LINK -> /etc/alternatives/NAME -> PATH for each chosen master and each
  // of its slaves whose path exists; var/lib/dpkg/alternatives/NAME as
  // update-alternatives writes it. Returns one line per name, e.g.
  // "java -> /usr/lib/jvm/java-17-openjdk-amd64/bin/java (priority 1711)",
  // or why nothing was linked.
  std::vector<std::string> apply(Tree& tree) const;

  bool empty() const { return all_.empty(); }

 private:
  std::vector<Alternative> all_;
};

}  // namespace distill::effects
