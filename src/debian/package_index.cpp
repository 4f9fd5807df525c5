#include "debian/package_index.hpp"

#include <algorithm>
#include <charconv>
#include <deque>
#include <functional>
#include <utility>

#include "core/strings.hpp"
#include "debian/package_name.hpp"
#include "debian/relation.hpp"
#include "debian/version.hpp"

namespace distill::debian {
namespace {

// dpkg matches field names case-insensitively.
constexpr bool name_is(std::string_view name, std::string_view canonical) {
  return core::iequals(name, canonical);
}

bool parse_u64(std::string_view s, uint64_t& out) {
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

bool is_lower_hex64(std::string_view s) {
  if (s.size() != 64) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// The fields whose presence or syntax parse() checks.
struct Checked {
  const Field* package = nullptr;
  const Field* version = nullptr;
  const Field* architecture = nullptr;
  const Field* filename = nullptr;
  const Field* size = nullptr;
  const Field* sha256 = nullptr;
  const Field* installed_size = nullptr;
};

// Stores a field value in the matching PackageEntry member. One pass over the
// stanza's fields instead of a lookup per member: this runs ~1.3M times for a
// full main index.
void assign_field(PackageEntry& e, Checked& c, const Field& f) {
  const std::string_view n = f.name;
  switch (n.size()) {
    case 4:
      if (name_is(n, "size")) c.size = &f;
      break;
    case 6:
      if (name_is(n, "source")) {
        e.source = f.value;
      } else if (name_is(n, "sha256")) {
        e.sha256 = f.value;
        c.sha256 = &f;
      }
      break;
    case 7:
      if (name_is(n, "package")) {
        e.name = f.value;
        c.package = &f;
      } else if (name_is(n, "version")) {
        e.version = f.value;
        c.version = &f;
      } else if (name_is(n, "depends")) {
        e.depends = f.value;
      }
      break;
    case 8:
      if (name_is(n, "priority")) {
        e.priority = f.value;
      } else if (name_is(n, "provides")) {
        e.provides = f.value;
      } else if (name_is(n, "filename")) {
        e.filename = f.value;
        c.filename = &f;
      }
      break;
    case 9:
      if (name_is(n, "essential")) e.essential = f.value;
      break;
    case 10:
      if (name_is(n, "multi-arch")) e.multi_arch = f.value;
      break;
    case 11:
      if (name_is(n, "pre-depends")) e.pre_depends = f.value;
      break;
    case 12:
      if (name_is(n, "architecture")) {
        e.architecture = f.value;
        c.architecture = &f;
      }
      break;
    case 14:
      if (name_is(n, "installed-size")) c.installed_size = &f;
      break;
    default:
      break;
  }
}

class StanzaReader {
 public:
  StanzaReader(const Paragraph& p, const std::string& label) : p_(p), label_(label) {}

  core::Status fill(PackageEntry& e) const {
    Checked c;
    for (const Field& f : p_.fields) assign_field(e, c, f);
    const std::pair<const Field*, const char*> required[] = {
        {c.package, "Package"},   {c.version, "Version"}, {c.architecture, "Architecture"},
        {c.filename, "Filename"}, {c.size, "Size"},       {c.sha256, "SHA256"}};
    for (const auto& [field, display] : required) {
      if (field == nullptr) return error(p_.line, "stanza" + of(e) + " lacks " + display);
      if (field->value.empty())
        return error(line_of(*field), std::string(display) + of(e) + " is empty");
    }
    // Name, version and architecture end up in file names and status.d.
    if (auto id = check_package_id("", e.name, e.version, e.architecture); !id.ok())
      return error(p_.line, "stanza" + of(e) + ": " + id.error().what);
    if (!parse_u64(c.size->value, e.size))
      return error(line_of(*c.size),
                   "Size" + of(e) + " is not a number: '" + std::string(c.size->value) + "'");
    if (c.installed_size != nullptr && !parse_u64(c.installed_size->value, e.installed_size))
      return error(line_of(*c.installed_size), "Installed-Size" + of(e) + " is not a number: '" +
                                                   std::string(c.installed_size->value) + "'");
    if (!is_lower_hex64(e.sha256))
      return error(line_of(*c.sha256), "SHA256" + of(e) + " is not 64 lowercase hex digits");
    e.stanza = p_.raw;
    return {};
  }

 private:
  static std::string of(const PackageEntry& e) {
    return e.name.empty() ? std::string() : " of " + std::string(e.name);
  }

  core::Error error(size_t line, std::string what) const {
    return core::make_error(label_ + " Packages:" + std::to_string(line), std::move(what),
                            "the index is malformed; refresh it or report it to the mirror");
  }

  // The 1-based line a field starts on; only computed on error paths.
  size_t line_of(const Field& f) const {
    const char* begin = p_.raw.data();
    const char* at = f.name.data();
    if (at < begin || at > begin + p_.raw.size()) return p_.line;
    return p_.line + static_cast<size_t>(std::count(begin, at, '\n'));
  }

  const Paragraph& p_;
  const std::string& label_;
};

}  // namespace

core::Result<std::shared_ptr<PackageIndex>> PackageIndex::parse(IndexOrigin origin,
                                                                std::string text) {
  normalise_line_ends(text);
  return parse(std::move(origin), core::Buffer(std::move(text)));
}

core::Result<std::shared_ptr<PackageIndex>> PackageIndex::parse(IndexOrigin origin,
                                                                core::Buffer text) {
  // Archive indices never have CRLF line ends; anything else gets a fixed copy.
  if (text.view().find('\r') != std::string_view::npos) {
    std::string copy(text.view());
    normalise_line_ends(copy);
    text = core::Buffer(std::move(copy));
  }
  std::shared_ptr<PackageIndex> index(new PackageIndex());
  index->origin_ = std::move(origin);
  index->text_ = std::move(text);
  const std::string label = index->origin_.label();
  const std::string_view body = index->text_.view();
  // Archive stanzas average well over 500 bytes: a generous guess avoids most
  // regrowth on 60k-stanza indices.
  auto& entries = index->entries_;
  entries.reserve(body.size() / 700 + 1);
  DISTILL_TRY(
      for_each_paragraph(body, label + " Packages", [&](const Paragraph& p) -> core::Status {
        PackageEntry& e = entries.emplace_back();
        e.origin = &index->origin_;
        return StanzaReader(p, label).fill(e);
      }));
  entries.shrink_to_fit();
  return index;
}

// --- PackageUniverse -------------------------------------------------------
//
// The tables are flat arrays indexed by dense name ids: one hash lookup per
// entry while building and no allocation per name, which keeps building the
// universe of a full main index (63k entries) to a fraction of parsing it.

namespace {

// Where one name's run starts in a flat array, and how long it is.
struct Range {
  uint32_t begin = 0;
  uint32_t count = 0;
};

// Interns names to dense ids 0, 1, 2, ... An open-addressing table keeps the
// hash and the view inline, so a lookup costs one cache miss instead of the
// node chasing of std::unordered_map, which dominated building the universe.
class NameIds {
 public:
  explicit NameIds(size_t expected = 0) { rehash(std::max<size_t>(16, expected * 2)); }

  size_t size() const { return size_; }

  uint32_t intern(std::string_view name) {
    if ((size_ + 1) * 2 > slots_.size()) rehash(slots_.size() * 2);
    const uint64_t h = hash(name);
    Slot& slot = slots_[probe(name, h)];
    if (slot.id == kEmpty)
      slot =
          Slot{h, name.data(), static_cast<uint32_t>(name.size()), static_cast<uint32_t>(size_++)};
    return slot.id;
  }

  // kEmpty when `name` was never interned.
  uint32_t find(std::string_view name) const { return slots_[probe(name, hash(name))].id; }

  static constexpr uint32_t kEmpty = UINT32_MAX;

 private:
  struct Slot {
    uint64_t hash = 0;
    const char* data = nullptr;
    uint32_t size = 0;
    uint32_t id = kEmpty;
  };

  static uint64_t hash(std::string_view s) { return std::hash<std::string_view>{}(s); }

  // The slot holding `name`, or the empty slot where it belongs.
  size_t probe(std::string_view name, uint64_t h) const {
    const size_t mask = slots_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (s.id == kEmpty || (s.hash == h && std::string_view(s.data, s.size) == name)) return i;
    }
  }

  void rehash(size_t min_slots) {
    size_t n = 16;
    while (n < min_slots) n *= 2;
    std::vector<Slot> old = std::exchange(slots_, std::vector<Slot>(n));
    const size_t mask = n - 1;
    for (const Slot& s : old) {
      if (s.id == kEmpty) continue;
      size_t i = s.hash & mask;
      while (slots_[i].id != kEmpty) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }

  std::vector<Slot> slots_;
  size_t size_ = 0;
};

// Counting sort of `values` by id; values with the same id keep their order.
template <typename T>
void group_by_id(const std::vector<uint32_t>& ids, const std::vector<T>& values, size_t id_count,
                 std::vector<Range>& ranges, std::vector<T>& out) {
  ranges.assign(id_count, Range{});
  for (uint32_t id : ids) ++ranges[id].count;
  uint32_t next = 0;
  for (Range& r : ranges) {
    r.begin = next;
    next += r.count;
    r.count = 0;
  }
  out.resize(values.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    Range& r = ranges[ids[i]];
    out[r.begin + r.count++] = values[i];
  }
}

}  // namespace

struct PackageUniverse::Tables {
  NameIds name_ids;
  std::vector<Range> name_ranges;
  std::vector<const PackageEntry*> entries;  // grouped by name, highest version first
  NameIds provided_ids;
  std::vector<Range> provided_ranges;
  std::vector<Provider> providers;  // grouped by provided name
  // Provided names and versions that do not occur verbatim in their field.
  // A deque never moves its elements, so views into them stay valid.
  std::deque<std::string> owned;

  // A view of `text` inside `field` (Provides values are nearly always
  // copied verbatim by the parser), else of an owned copy.
  std::string_view view_of(std::string_view field, const std::string& text, size_t& cursor) {
    size_t pos = field.find(text, cursor);
    if (pos == std::string_view::npos) return owned.emplace_back(text);
    cursor = pos + text.size();
    return field.substr(pos, text.size());
  }

  void collect_provides(const PackageEntry& e, std::vector<uint32_t>& ids,
                        std::vector<Provider>& out) {
    auto parsed = parse_relations(e.provides, "Provides");
    // A malformed Provides only makes a virtual name unavailable; the
    // resolver then reports the dependency on it, naming the chain.
    if (!parsed.ok()) return;
    size_t cursor = 0;
    for (const Alternatives& group : *parsed) {
      for (const Relation& rel : group) {
        std::string_view name = view_of(e.provides, rel.name, cursor);
        std::string_view version;
        // Debian policy only allows "=" in Provides.
        if (rel.op == RelOp::Eq && !rel.version.empty())
          version = view_of(e.provides, rel.version, cursor);
        ids.push_back(provided_ids.intern(name));
        out.push_back(Provider{&e, version});
      }
    }
  }
};

PackageUniverse::PackageUniverse() = default;
PackageUniverse::~PackageUniverse() = default;
PackageUniverse::PackageUniverse(PackageUniverse&&) noexcept = default;
PackageUniverse& PackageUniverse::operator=(PackageUniverse&&) noexcept = default;

void PackageUniverse::add(std::shared_ptr<const PackageIndex> index) {
  indices_.push_back(std::move(index));
  tables_.reset();
}

size_t PackageUniverse::size() const {
  size_t n = 0;
  for (const auto& index : indices_) n += index->entries().size();
  return n;
}

std::span<const PackageEntry* const> PackageUniverse::candidates(std::string_view name) const {
  const Tables& t = tables();
  uint32_t id = t.name_ids.find(name);
  if (id == NameIds::kEmpty) return {};
  Range r = t.name_ranges[id];
  return {t.entries.data() + r.begin, r.count};
}

std::span<const Provider> PackageUniverse::providers(std::string_view name) const {
  const Tables& t = tables();
  uint32_t id = t.provided_ids.find(name);
  if (id == NameIds::kEmpty) return {};
  Range r = t.provided_ranges[id];
  return {t.providers.data() + r.begin, r.count};
}

const PackageUniverse::Tables& PackageUniverse::tables() const {
  if (tables_) return *tables_;
  const size_t total = size();
  auto t = std::make_unique<Tables>();
  t->name_ids = NameIds(total);
  std::vector<uint32_t> name_of;
  std::vector<const PackageEntry*> entries;
  name_of.reserve(total);
  entries.reserve(total);
  std::vector<uint32_t> provided_of;
  std::vector<Provider> providers;
  for (const auto& index : indices_) {
    for (const PackageEntry& e : index->entries()) {
      name_of.push_back(t->name_ids.intern(e.name));
      entries.push_back(&e);
      if (!e.provides.empty()) t->collect_provides(e, provided_of, providers);
    }
  }
  group_by_id(name_of, entries, t->name_ids.size(), t->name_ranges, t->entries);
  group_by_id(provided_of, providers, t->provided_ids.size(), t->provided_ranges, t->providers);
  for (const Range& r : t->name_ranges) {
    if (r.count < 2) continue;
    // Stable: equal versions keep index order, so earlier-added indices win.
    auto begin = t->entries.begin() + r.begin;
    std::stable_sort(begin, begin + r.count, [](const PackageEntry* a, const PackageEntry* b) {
      return compare_versions(a->version, b->version) > 0;
    });
  }
  tables_ = std::move(t);
  return *tables_;
}

}  // namespace distill::debian
