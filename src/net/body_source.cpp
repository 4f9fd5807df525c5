#include "net/body_source.hpp"

#include <algorithm>
#include <cstring>

namespace distill::net {

core::Status StringBody::rewind() {
  pos_ = 0;
  return core::Status::Ok();
}

core::Result<size_t> StringBody::read(char* buf, size_t max) {
  size_t n = std::min(max, data_.size() - pos_);
  std::memcpy(buf, data_.data() + pos_, n);
  pos_ += n;
  return n;
}

core::Result<std::string> read_some(BodySource& source, size_t n) {
  std::string out(n, '\0');
  size_t got = 0;
  while (got < n) {
    DISTILL_ASSIGN(size_t k, source.read(out.data() + got, n - got));
    if (k == 0) break;
    got += k;
  }
  out.resize(got);
  return out;
}

core::Result<std::string> read_all(BodySource& source) {
  DISTILL_TRY(source.rewind());
  return read_some(source, static_cast<size_t>(std::max<int64_t>(source.size(), 0)));
}

}  // namespace distill::net
