#pragma once

#include <optional>
#include <string_view>

namespace distill::vuln {

// Maven's version order (maven-artifact 3.9's ComparableVersion): the text
// is split at '.', '-' and every digit/letter change, '-' (and a trailing
// ".word") opening a sub-list; "null" items (0, "", "ga", "final",
// "release") at the end or before a qualifier are dropped, so
// 1.0 == 1 == 1.0.0 == 1-ga. Maven 3.9's "combination" items ("X1" read as
// one item, "X-1" as "X1") are not modelled: such a qualifier is a word
// followed by a sub-list, as in Maven 3.8, which orders the same for the
// usual alpha1/beta2/rc3/sp1 spellings. Qualifiers order alpha < beta < milestone <
// rc = cr < snapshot < "" (a release) < sp < any other word (then in ASCII
// order); "a1", "b2", "m3" spell alpha, beta and milestone when a digit
// follows. A number sorts after a word and after a sub-list. Case is ignored.
// Every text is a Maven version, so this is total; texts longer than a
// bound (256 bytes, which also bounds the nesting) compare as plain strings.
int compare_maven(std::string_view a, std::string_view b);

}  // namespace distill::vuln
