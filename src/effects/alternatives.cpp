#include "effects/alternatives.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <map>

namespace distill::effects {
namespace {

// A name becomes a file under /etc/alternatives and /var/lib/dpkg/alternatives.
bool alt_valid_name(const std::string& name) {
  return !name.empty() && name != "." && name != ".." &&
         name.find_first_of("/\n") == std::string::npos;
}

bool alt_exists(const Tree& tree, const std::string& path) {
  const oci::FsEntry* e = tree.find_resolved(path);
  return e && e->type != oci::EntryType::kDirectory;
}

// Where a link named by an absolute path lands: its folder resolved inside
// the tree (/bin is usr/bin on a merged-/usr image), its name kept.
std::string alt_link_path(const Tree& tree, const std::string& link) {
  auto placed = tree.place(link);
  return placed ? *placed : tree_path(link);  // its folders are made
}

void alt_make_dirs(Tree& tree, const std::string& path) {
  std::string dir;
  for (size_t i = path.find('/'); i != std::string::npos; i = path.find('/', i + 1)) {
    dir = path.substr(0, i);
    if (!tree.contains(dir)) tree.put(oci::FsEntry::directory(dir));
  }
}

// A link the alternative owns; a real file or folder there stays, as
// update-alternatives leaves it.
bool alt_put_link(Tree& tree, const std::string& path, const std::string& target) {
  const oci::FsEntry* existing = tree.find(path);
  if (existing && existing->type != oci::EntryType::kSymlink) return false;
  alt_make_dirs(tree, path);
  tree.put(oci::FsEntry::symlink(path, target));
  return true;
}

std::string alt_admin_file(const std::vector<const Alternative*>& group) {
  const Alternative& first = *group.front();
  std::vector<std::pair<std::string, std::string>> slaves;  // name, link
  for (const auto* a : group)
    for (const auto& s : a->slaves)
      if (std::none_of(slaves.begin(), slaves.end(), [&](auto& x) { return x.first == s.name; }))
        slaves.emplace_back(s.name, s.link);
  std::sort(slaves.begin(), slaves.end());
  std::string out = "auto\n" + first.link + "\n";
  for (const auto& [name, link] : slaves) out += name + "\n" + link + "\n";
  out += "\n";
  for (const auto* a : group) {
    out += a->path + "\n" + std::to_string(a->priority) + "\n";
    for (const auto& [name, link] : slaves) {
      std::string path;
      for (const auto& s : a->slaves)
        if (s.name == name) path = s.path;
      out += path + "\n";
    }
  }
  out += "\n";
  return out;
}

}  // namespace

core::Result<Alternative> parse_alternative_install(const std::vector<std::string>& argv) {
  Alternative a;
  size_t i = 0;
  while (i < argv.size() && argv[i] != "--install") {
    const std::string& opt = argv[i];
    if (opt != "--quiet" && opt != "--verbose" && opt != "--force")
      return core::make_error("update-alternatives", "option " + opt + " is not reproduced");
    ++i;
  }
  if (i + 4 >= argv.size())
    return core::make_error("update-alternatives", "--install needs LINK NAME PATH PRIORITY");
  a.link = argv[i + 1];
  a.name = argv[i + 2];
  a.path = argv[i + 3];
  const std::string& prio = argv[i + 4];
  auto [end, ec] = std::from_chars(prio.data(), prio.data() + prio.size(), a.priority);
  if (ec != std::errc() || end != prio.data() + prio.size())
    return core::make_error("update-alternatives", "priority '" + prio + "' is not a number");
  if (!a.link.starts_with("/") || !a.path.starts_with("/") || !alt_valid_name(a.name))
    return core::make_error("update-alternatives", "links and paths must be absolute");
  for (i += 5; i < argv.size(); i += 4) {
    if (argv[i] != "--slave" || i + 3 >= argv.size())
      return core::make_error("update-alternatives", "'" + argv[i] + "' after --install");
    Alternative::Slave s{argv[i + 1], argv[i + 2], argv[i + 3]};
    if (!s.link.starts_with("/") || !s.path.starts_with("/") || !alt_valid_name(s.name))
      return core::make_error("update-alternatives", "links and paths must be absolute");
    a.slaves.push_back(std::move(s));
  }
  return a;
}

void AlternativesTable::add(Alternative alternative) {
  all_.push_back(std::move(alternative));
}

std::vector<std::string> AlternativesTable::apply(Tree& tree) const {
  std::map<std::string, std::vector<const Alternative*>> by_name;
  for (const auto& a : all_) {
    auto& group = by_name[a.name];
    // A path given twice: the later call updates it, as on a real system.
    auto same = std::find_if(group.begin(), group.end(),
                             [&](const Alternative* x) { return x->path == a.path; });
    if (same != group.end())
      *same = &a;
    else
      group.push_back(&a);
  }
  std::vector<std::string> notes;
  for (auto& [name, group] : by_name) {
    std::sort(group.begin(), group.end(), [](const Alternative* x, const Alternative* y) {
      return x->priority != y->priority ? x->priority > y->priority : x->path < y->path;
    });
    const Alternative* best = nullptr;
    for (const auto* a : group)
      if (!best && alt_exists(tree, a->path)) best = a;
    if (!best) {
      notes.push_back(name + ": no candidate path exists in the image, nothing linked");
      continue;
    }
    std::string etc = "etc/alternatives/" + name;
    if (!alt_put_link(tree, alt_link_path(tree, best->link), "/" + etc)) {
      notes.push_back(name + ": " + best->link + " is a real file, left as it is");
      continue;
    }
    alt_put_link(tree, etc, best->path);
    for (const auto& s : best->slaves) {
      if (!alt_exists(tree, s.path)) continue;  // a trimmed manual page, say
      if (alt_put_link(tree, "etc/alternatives/" + s.name, s.path))
        alt_put_link(tree, alt_link_path(tree, s.link), "/etc/alternatives/" + s.name);
    }
    alt_make_dirs(tree, "var/lib/dpkg/alternatives/" + name);
    tree.put(oci::FsEntry::file("var/lib/dpkg/alternatives/" + name, alt_admin_file(group)));
    notes.push_back(fmt::format("{} -> {} (priority {})", name, best->path, best->priority));
  }
  return notes;
}

}  // namespace distill::effects
