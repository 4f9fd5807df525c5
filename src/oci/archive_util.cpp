#include "oci/archive_util.hpp"

namespace distill::oci {
namespace {

locale_t utf8_locale() {
  // Created once and kept: newlocale is not free, and the object is immutable.
  static locale_t loc = ::newlocale(LC_ALL_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
  return loc;
}

}  // namespace

ScopedUtf8Locale::ScopedUtf8Locale() {
  if (locale_t loc = utf8_locale()) previous_ = ::uselocale(loc);
}

ScopedUtf8Locale::~ScopedUtf8Locale() {
  if (previous_) ::uselocale(previous_);
}

core::Status ScopedUtf8Locale::status() const {
  if (previous_ == nullptr)
    return core::make_error("locale", "the C.UTF-8 locale is not available",
                            "distill needs glibc 2.35 or later, or the C.UTF-8 locale installed");
  return core::Status::Ok();
}

std::string archive_error(archive* a) {
  const char* msg = archive_error_string(a);
  return msg ? msg : "unknown libarchive error";
}

}  // namespace distill::oci
