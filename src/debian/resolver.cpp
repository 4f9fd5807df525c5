#include "debian/resolver.hpp"

#include <algorithm>
#include <optional>
#include <set>
#include <unordered_map>

#include "core/strings.hpp"
#include "core/suggest.hpp"
#include "debian/relation.hpp"
#include "debian/version.hpp"

namespace distill::debian {

std::string DroppedEdge::str() const {
  // A single dependency reads best as its bare name ("dpkg", not
  // "dpkg (>= 1.13.20)"); a group of alternatives is shown as written.
  std::string_view shown = to;
  if (shown.find(" | ") == std::string_view::npos) {
    size_t end = shown.find_first_of(" (:");
    if (end != std::string_view::npos) shown = shown.substr(0, end);
  }
  return from + " -> " + std::string(shown) + ": dropped (" + reason + ")";
}

namespace {

constexpr size_t kNoParent = static_cast<size_t>(-1);

std::string group_text(const Alternatives& group) {
  std::vector<std::string> alternatives;
  for (const Relation& rel : group) alternatives.push_back(rel.str());
  return core::join(alternatives, " | ");
}

int priority_rank(std::string_view priority) {
  static constexpr std::string_view kOrder[] = {"required", "important", "standard", "optional",
                                                "extra"};
  for (size_t i = 0; i < std::size(kOrder); ++i)
    if (priority == kOrder[i]) return static_cast<int>(i);
  return static_cast<int>(std::size(kOrder));
}

bool version_ok(std::string_view version, const Relation& rel) {
  return rel.op == RelOp::Any || version_satisfies(version, rel.op, rel.version);
}

// Debian policy 7.5: a versioned dependency is satisfied only by a versioned
// Provides; an unversioned Provides satisfies unversioned dependencies only.
bool provide_ok(const Provider& p, const Relation& rel) {
  if (rel.op == RelOp::Any) return true;
  return !p.version.empty() && version_satisfies(p.version, rel.op, rel.version);
}

std::string trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(" \t");
  return std::string(s.substr(b, e - b + 1));
}

// A package the user named: "name", "name=version" or "name (op version)".
core::Result<Relation> parse_root(std::string_view spec) {
  const std::string text = trim(spec);
  auto bad = [&] {
    return core::make_error(std::string(spec),
                            "not a package name with an optional version constraint",
                            "write name, name=version or 'name (>= version)'");
  };
  if (text.empty()) return bad();
  size_t eq = text.find('=');
  if (eq != std::string::npos && text.find('(') == std::string::npos) {
    Relation rel;
    rel.name = trim(std::string_view(text).substr(0, eq));
    rel.op = RelOp::Eq;
    rel.version = trim(std::string_view(text).substr(eq + 1));
    if (rel.name.empty() || rel.version.empty()) return bad();
    return rel;
  }
  auto parsed = parse_relations(text, "package list");
  if (!parsed.ok()) return bad();
  if (parsed->size() != 1 || (*parsed)[0].size() != 1) return bad();
  return (*parsed)[0][0];
}

struct Node {
  const PackageEntry* entry = nullptr;
  size_t parent = kNoParent;  // the package that first pulled this one in
  bool requested = false;
  std::set<std::string_view> required_by;
};

// What looking for one alternative's candidate found.
struct Pick {
  const PackageEntry* entry = nullptr;  // the chosen candidate
  std::string_view blocked;             // set when only blocked candidates exist
  std::optional<size_t> conflict;       // node holding the name at another version
};

class Resolver {
 public:
  Resolver(const PackageUniverse& universe, const ResolveRequest& request, const Policy& policy)
      : universe_(universe), request_(request), policy_(policy) {
    excluded_.insert(request.exclude.begin(), request.exclude.end());
  }

  core::Result<Resolution> run() {
    if (request_.arch.empty())
      return core::make_error(request_.where, "no target architecture given");
    // All roots first, so that dependencies on a package the user named are
    // satisfied by it rather than dropped or resolved to another version.
    for (const std::string& spec : request_.roots) DISTILL_TRY(add_root(spec));
    for (size_t i = 0; i < nodes_.size(); ++i) DISTILL_TRY(visit(i));
    return result();
  }

 private:
  // ---- candidates ----------------------------------------------------------

  bool arch_ok(const PackageEntry& e) const {
    return e.architecture == request_.arch || e.architecture == "all";
  }

  // The image is single-arch, so "any" and "native" both mean the target
  // ("any" also requires Multi-Arch: allowed, which we do not insist on).
  bool qualifier_ok(const Relation& rel) const {
    const std::string& q = rel.arch_qualifier;
    return q.empty() || q == "any" || q == "native" || q == request_.arch;
  }

  std::string_view block_reason(const PackageEntry& e) const {
    if (excluded_.contains(e.name)) return "excluded";
    return policy_.implicit_block_reason(e.name, e.is_essential());
  }

  std::optional<size_t> selected(std::string_view name) const {
    auto it = selected_.find(name);
    if (it == selected_.end()) return std::nullopt;
    return it->second;
  }

  // The selected package that already satisfies `rel`, if any.
  std::optional<size_t> satisfied_by(const Relation& rel) const {
    if (!qualifier_ok(rel)) return std::nullopt;
    if (auto n = selected(rel.name); n && version_ok(nodes_[*n].entry->version, rel)) return n;
    for (const Provider& p : universe_.providers(rel.name)) {
      auto n = selected(p.entry->name);
      if (n && nodes_[*n].entry == p.entry && provide_ok(p, rel)) return n;
    }
    return std::nullopt;
  }

  // Skips `e` when it is blocked or clashes with a selected version, noting why.
  bool usable(const PackageEntry& e, Pick& pick, bool apply_policy) const {
    if (apply_policy) {
      if (std::string_view reason = block_reason(e); !reason.empty()) {
        if (pick.blocked.empty()) pick.blocked = reason;
        return false;
      }
    }
    if (auto n = selected(e.name); n && nodes_[*n].entry != &e) {
      if (!pick.conflict) pick.conflict = n;
      return false;
    }
    return true;
  }

  // The best candidate for one alternative: the highest real version, else
  // the preferred provider.
  Pick pick(const Relation& rel, bool apply_policy) const {
    Pick pick;
    if (!qualifier_ok(rel)) return pick;
    if (apply_policy && excluded_.contains(rel.name)) {
      pick.blocked = "excluded";
      return pick;
    }
    for (const PackageEntry* e : universe_.candidates(rel.name)) {
      if (!arch_ok(*e) || !version_ok(e->version, rel)) continue;
      if (!usable(*e, pick, apply_policy)) continue;
      pick.entry = e;
      return pick;
    }
    // Already-selected providers never get here: satisfied_by() takes them
    // first, and other versions of their names are conflicts.
    const PackageEntry* best = nullptr;
    auto better = [](const PackageEntry& a, const PackageEntry& b) {
      int ra = priority_rank(a.priority), rb = priority_rank(b.priority);
      if (ra != rb) return ra < rb;
      if (a.name != b.name) return a.name < b.name;
      return compare_versions(a.version, b.version) > 0;
    };
    for (const Provider& p : universe_.providers(rel.name)) {
      if (!arch_ok(*p.entry) || !provide_ok(p, rel)) continue;
      if (!usable(*p.entry, pick, apply_policy)) continue;
      if (best == nullptr || better(*p.entry, *best)) best = p.entry;
    }
    pick.entry = best;
    return pick;
  }

  // ---- selection -----------------------------------------------------------

  size_t select(const PackageEntry& e, size_t parent, bool requested) {
    nodes_.push_back(Node{&e, parent, requested, {}});
    size_t n = nodes_.size() - 1;
    selected_.emplace(e.name, n);
    if (parent != kNoParent) link(n, parent);
    return n;
  }

  void link(size_t target, size_t from) {
    if (target != from) nodes_[target].required_by.insert(nodes_[from].entry->name);
  }

  core::Status add_root(const std::string& spec) {
    DISTILL_ASSIGN(Relation rel, parse_root(spec));
    if (excluded_.contains(rel.name))
      return core::make_error(rel.name, "is both requested and excluded",
                              "remove it from one of the two lists");
    if (auto n = satisfied_by(rel)) {
      nodes_[*n].requested = true;
      return {};
    }
    // The user named it, so essential packages and package managers are fine;
    // only a virtual name goes through the policy, like a dependency would.
    Pick p = pick(rel, /*apply_policy=*/false);
    if (p.entry != nullptr && p.entry->name != rel.name) {
      p = pick(rel, /*apply_policy=*/true);
      if (p.entry == nullptr && !p.blocked.empty() && !p.conflict)
        return core::make_error(rel.name,
                                "every provider is left out (" + std::string(p.blocked) + ")",
                                "name the provider you want explicitly");
    }
    if (p.entry == nullptr && p.conflict)
      return core::make_error(spec,
                              "conflicts with " + describe(*p.conflict) + ", already selected",
                              "ask for one version only");
    if (p.entry == nullptr) return root_miss(rel);
    if (policy_.implicit_block_reason(p.entry->name, p.entry->is_essential()) == "shell" &&
        !policy_.allow_shells)
      return core::make_error(std::string(p.entry->name),
                              "is a shell, which a distroless image leaves out",
                              "set allow_shells / --allow-shell to opt in");
    select(*p.entry, kNoParent, /*requested=*/true);
    return {};
  }

  // ---- traversal -----------------------------------------------------------

  core::Status visit(size_t n) {
    const PackageEntry& e = *nodes_[n].entry;
    // Parsed here, for the visited packages only: parsing every Depends field
    // of a full index would cost more than the whole resolution. Each package
    // is visited once, so each entry's relations are parsed once.
    for (const auto& [field, label] :
         {std::pair{e.pre_depends, "Pre-Depends"}, std::pair{e.depends, "Depends"}}) {
      if (field.empty()) continue;
      std::string where = std::string(e.name) + " " + std::string(e.version) + " (" +
                          e.origin->label() + ") " + label;
      DISTILL_ASSIGN(auto groups, parse_relations(field, where));
      for (const Alternatives& group : groups) DISTILL_TRY(resolve_group(n, group));
    }
    return {};
  }

  core::Status resolve_group(size_t n, const Alternatives& group) {
    for (const Relation& alt : group) {
      if (auto s = satisfied_by(alt)) {
        link(*s, n);
        return {};
      }
    }
    std::string_view blocked;
    std::optional<size_t> conflict;
    for (const Relation& alt : group) {
      Pick p = pick(alt, /*apply_policy=*/true);
      if (p.entry != nullptr) {
        select(*p.entry, n, /*requested=*/false);
        return {};
      }
      if (blocked.empty()) blocked = p.blocked;
      if (!conflict) conflict = p.conflict;
    }
    std::string text = group_text(group);
    if (conflict)
      return core::make_error({},
                              chain(n) + " -> " + text + ": conflict: " + describe(*conflict) +
                                  " is already selected (via " + chain(*conflict) + ")",
                              "the suites disagree on the version; pin one that satisfies both");
    if (!blocked.empty()) {
      dropped_.push_back(
          DroppedEdge{std::string(nodes_[n].entry->name), text, std::string(blocked)});
      return {};
    }
    std::string hint;
    for (const Relation& alt : group) {
      if (!hint.empty()) hint += "; ";
      hint += explain_miss(alt);
    }
    return core::make_error({}, chain(n) + " -> " + text + ": no candidate in " + request_.where,
                            hint);
  }

  // ---- messages ------------------------------------------------------------

  std::string chain(size_t n) const {
    std::vector<std::string_view> names;
    for (size_t i = n; i != kNoParent; i = nodes_[i].parent) names.push_back(nodes_[i].entry->name);
    std::string out;
    for (auto it = names.rbegin(); it != names.rend(); ++it) {
      if (!out.empty()) out += " -> ";
      out += *it;
    }
    return out;
  }

  std::string describe(size_t n) const {
    return std::string(nodes_[n].entry->name) + " " + std::string(nodes_[n].entry->version);
  }

  // Why nothing matched `rel`, for the hint.
  std::string explain_miss(const Relation& rel) const {
    if (!qualifier_ok(rel))
      return rel.name + ":" + rel.arch_qualifier + " names an architecture other than " +
             request_.arch;
    std::vector<std::string_view> versions, arches;
    for (const PackageEntry* e : universe_.candidates(rel.name)) {
      auto& list = arch_ok(*e) ? versions : arches;
      std::string_view item = arch_ok(*e) ? e->version : e->architecture;
      if (std::find(list.begin(), list.end(), item) == list.end()) list.push_back(item);
    }
    if (!versions.empty()) return rel.name + " has only " + core::join(versions, ", ");
    if (!arches.empty()) return rel.name + " is only built for " + core::join(arches, ", ");
    if (!universe_.providers(rel.name).empty())
      return rel.name + " is virtual and no provider matches";
    return "nothing is named or provides " + rel.name;
  }

  core::Status root_miss(const Relation& rel) const {
    bool known = !universe_.candidates(rel.name).empty() || !universe_.providers(rel.name).empty();
    if (known)
      return core::make_error(rel.str(), "no candidate in " + request_.where, explain_miss(rel));
    std::string hint;
    if (std::string suggestion = closest_name(rel.name); !suggestion.empty())
      hint = "did you mean " + suggestion + "?";
    return core::make_error(rel.name, "no such package in " + request_.where, hint);
  }

  std::string closest_name(std::string_view name) const {
    const size_t limit = std::max<size_t>(1, name.size() / 3);
    std::string_view best;
    size_t best_distance = limit + 1;
    for (const auto& index : universe_.indices()) {
      for (const PackageEntry& e : index->entries()) {
        if (!arch_ok(e)) continue;
        size_t len_gap =
            e.name.size() > name.size() ? e.name.size() - name.size() : name.size() - e.name.size();
        if (len_gap > limit) continue;
        size_t d = core::edit_distance(name, e.name);
        if (d < best_distance || (d == best_distance && e.name < best)) {
          best = e.name;
          best_distance = d;
        }
      }
    }
    return std::string(best);
  }

  Resolution result() const {
    Resolution r;
    r.packages.reserve(nodes_.size());
    for (const Node& node : nodes_) {
      ResolvedPackage p;
      p.entry = node.entry;
      p.requested = node.requested;
      p.required_by.assign(node.required_by.begin(), node.required_by.end());
      r.packages.push_back(std::move(p));
    }
    std::sort(r.packages.begin(), r.packages.end(),
              [](const ResolvedPackage& a, const ResolvedPackage& b) {
                return a.entry->name < b.entry->name;
              });
    r.dropped = dropped_;
    auto key = [](const DroppedEdge& d) { return std::tie(d.from, d.to, d.reason); };
    std::sort(r.dropped.begin(), r.dropped.end(),
              [&](const DroppedEdge& a, const DroppedEdge& b) { return key(a) < key(b); });
    r.dropped.erase(
        std::unique(r.dropped.begin(), r.dropped.end(),
                    [&](const DroppedEdge& a, const DroppedEdge& b) { return key(a) == key(b); }),
        r.dropped.end());
    return r;
  }

  const PackageUniverse& universe_;
  const ResolveRequest& request_;
  const Policy& policy_;
  std::set<std::string, std::less<>> excluded_;
  std::vector<Node> nodes_;
  std::unordered_map<std::string_view, size_t> selected_;
  std::vector<DroppedEdge> dropped_;
};

}  // namespace

core::Result<Resolution> resolve(const PackageUniverse& universe, const ResolveRequest& request,
                                 const Policy& policy) {
  return Resolver(universe, request, policy).run();
}

}  // namespace distill::debian
