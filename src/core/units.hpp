#pragma once

#include <cstdint>
#include <string>

namespace distill::core {

// "1.4 MiB": binary units, one decimal, for people (never for files we hash).
std::string human_size(uint64_t bytes);

}  // namespace distill::core
