#include "runtime/private_network.hpp"

#include <gtest/gtest.h>

using namespace distill::runtime;

namespace {

TEST(PrivateNetwork, PastaErrorsAreItsErrorLines) {
  EXPECT_EQ(pasta_errors("pasta unknown version: /usr/bin/passt.avx2 (4560)\n"
                         "0.4790: ERROR:   Failed to bind any port for '-t "
                         "127.0.0.1/18081:8081', exiting\n"),
            "Failed to bind any port for '-t 127.0.0.1/18081:8081', exiting");
  EXPECT_EQ(pasta_errors("1.0: ERROR: a\n2.0: warning: b\n3.0: ERROR: c\x1b[1m\n"), "a; c\\x1b[1m");
  EXPECT_EQ(pasta_errors(""), "");
}

}  // namespace
