#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace distill::core {

// Edit distance counting an adjacent transposition as one edit, for
// did-you-mean hints.
size_t edit_distance(std::string_view a, std::string_view b);

// The closest of `choices` to `word` when it is close enough to be a likely
// typo (distance at most a third of the word, at least 1), else empty.
std::string closest_match(std::string_view word, const std::vector<std::string>& choices);

}  // namespace distill::core
