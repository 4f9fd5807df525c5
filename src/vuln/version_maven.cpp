#include "vuln/version_maven.hpp"

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "core/strings.hpp"

namespace distill::vuln {
namespace {

constexpr size_t kMaxMavenLength = 256;

struct MavenItem {
  enum class Kind { kInt, kString, kList };
  Kind kind = Kind::kList;
  std::string value;  // kInt: digits without leading zeros; kString: the comparable qualifier
  std::vector<std::unique_ptr<MavenItem>> items;  // kList
};

// ComparableVersion's QUALIFIERS, indexed; "5" (the empty qualifier) is a release.
constexpr std::array<std::string_view, 7> kQualifiers = {"alpha",    "beta", "milestone", "rc",
                                                         "snapshot", "",     "sp"};
constexpr std::string_view kReleaseIndex = "5";

std::string comparable_qualifier(std::string value, bool followed_by_digit) {
  if (followed_by_digit && value.size() == 1) {
    if (value == "a") value = "alpha";
    if (value == "b") value = "beta";
    if (value == "m") value = "milestone";
  }
  if (value == "ga" || value == "final" || value == "release") value = "";
  if (value == "cr") value = "rc";
  for (size_t i = 0; i < kQualifiers.size(); ++i)
    if (value == kQualifiers[i]) return std::to_string(i);
  return std::to_string(kQualifiers.size()) + "-" + value;
}

std::unique_ptr<MavenItem> int_item(std::string_view digits) {
  auto item = std::make_unique<MavenItem>();
  item->kind = MavenItem::Kind::kInt;
  while (digits.size() > 1 && digits.front() == '0') digits.remove_prefix(1);
  item->value = std::string(digits);
  return item;
}

std::unique_ptr<MavenItem> string_item(std::string_view word, bool followed_by_digit) {
  auto item = std::make_unique<MavenItem>();
  item->kind = MavenItem::Kind::kString;
  item->value = comparable_qualifier(std::string(word), followed_by_digit);
  return item;
}

std::unique_ptr<MavenItem> parse_item(bool digit, std::string_view text) {
  return digit ? int_item(text) : string_item(text, false);
}

bool maven_null(const MavenItem& item) {
  switch (item.kind) {
    case MavenItem::Kind::kInt:
      return item.value == "0";
    case MavenItem::Kind::kString:
      return item.value == kReleaseIndex;
    case MavenItem::Kind::kList:
      return item.items.empty();
  }
  return false;
}

// Drops "null" items (0, a release qualifier, an empty list) at the end or
// before a qualifier, as maven-artifact 3.9 does: 1.0 == 1, 1.0-rc == 1-rc.
void normalize(MavenItem& list) {
  auto& items = list.items;
  for (size_t i = items.size(); i-- > 0;) {
    if (!maven_null(*items[i])) continue;
    bool last = i + 1 == items.size();
    bool before_word = !last && items[i + 1]->kind == MavenItem::Kind::kString;
    bool before_word_list = !last && items[i + 1]->kind == MavenItem::Kind::kList &&
                            !items[i + 1]->items.empty() &&
                            items[i + 1]->items.front()->kind == MavenItem::Kind::kString;
    if (last || before_word || before_word_list)
      items.erase(items.begin() + static_cast<std::ptrdiff_t>(i));
  }
}

MavenItem parse_maven(std::string_view text) {
  std::string version = core::ascii_lower(text);
  MavenItem root;
  MavenItem* list = &root;
  std::vector<MavenItem*> stack = {list};
  auto open_list = [&]() {
    auto sub = std::make_unique<MavenItem>();
    MavenItem* raw = sub.get();
    list->items.push_back(std::move(sub));
    list = raw;
    stack.push_back(list);
  };
  bool digit = false;
  size_t start = 0;
  for (size_t i = 0; i < version.size(); ++i) {
    char c = version[i];
    std::string_view part = std::string_view(version).substr(start, i - start);
    if (c == '.' || c == '-') {
      list->items.push_back(i == start ? int_item("0") : parse_item(digit, part));
      start = i + 1;
      if (c == '-') open_list();
    } else if (c >= '0' && c <= '9') {
      if (!digit && i > start) {
        list->items.push_back(string_item(part, true));
        start = i;
        open_list();
      }
      digit = true;
    } else {
      if (digit && i > start) {
        list->items.push_back(parse_item(true, part));
        start = i;
        open_list();
      }
      digit = false;
    }
  }
  if (version.size() > start) {
    // A trailing ".X" word is read as "-X": 1.0.0.x1 < 1.0.0-x2.
    if (!digit && !list->items.empty()) open_list();
    list->items.push_back(parse_item(digit, std::string_view(version).substr(start)));
  }
  while (!stack.empty()) {
    normalize(*stack.back());
    stack.pop_back();
  }
  return root;
}

int sign(int c) {
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

int compare_item(const MavenItem* a, const MavenItem* b);

// `a` against a missing item (the shorter list's end).
int compare_to_null(const MavenItem& a) {
  switch (a.kind) {
    case MavenItem::Kind::kInt:
      return a.value == "0" ? 0 : 1;
    case MavenItem::Kind::kString:
      return sign(a.value.compare(kReleaseIndex));
    case MavenItem::Kind::kList:
      // The whole list against nothing, not just its first item (MNG-6964).
      for (const auto& item : a.items)
        if (int c = compare_to_null(*item)) return c;
      return 0;
  }
  return 0;
}

int compare_lists(const MavenItem& a, const MavenItem& b) {
  for (size_t i = 0; i < a.items.size() || i < b.items.size(); ++i) {
    const MavenItem* l = i < a.items.size() ? a.items[i].get() : nullptr;
    const MavenItem* r = i < b.items.size() ? b.items[i].get() : nullptr;
    int c = l ? compare_item(l, r) : (r ? -compare_item(r, nullptr) : 0);
    if (c) return c;
  }
  return 0;
}

int compare_item(const MavenItem* a, const MavenItem* b) {
  if (!b) return compare_to_null(*a);
  using K = MavenItem::Kind;
  if (a->kind == K::kInt) {
    if (b->kind != K::kInt) return 1;
    return core::compare_decimal(a->value, b->value);
  }
  if (a->kind == K::kString) {
    if (b->kind == K::kInt || b->kind == K::kList) return -1;
    return sign(a->value.compare(b->value));
  }
  if (b->kind == K::kInt) return -1;
  if (b->kind == K::kString) return 1;
  return compare_lists(*a, *b);
}

}  // namespace

int compare_maven(std::string_view a, std::string_view b) {
  if (a.size() > kMaxMavenLength || b.size() > kMaxMavenLength) return sign(a.compare(b));
  MavenItem x = parse_maven(a), y = parse_maven(b);
  return compare_lists(x, y);
}

}  // namespace distill::vuln
