#include "core/yaml.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace distill::core {
namespace {

using ::testing::HasSubstr;

TEST(LoadYaml, DuplicateKeysNameBothLines) {
  auto r = load_yaml("distro: debian12\nbase: static\ndistro: debian13\n", "spec.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().where, "spec.yaml:3");
  EXPECT_THAT(r.error().what, HasSubstr("key 'distro' given twice (lines 1 and 3)"));
}

TEST(LoadYaml, DuplicatesInNestedMapsAndListsToo) {
  auto r = load_yaml("files:\n  - src: a\n    dst: /a\n    src: b\n", "spec.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().where, "spec.yaml:4");
  EXPECT_THAT(r.error().what, HasSubstr("'src' given twice (lines 2 and 4)"));
}

TEST(LoadYaml, SameKeyInSeparateMapsIsFine) {
  auto r = load_yaml("a:\n  x: 1\nb:\n  x: 2\n", "f.yaml");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ((*r)["b"]["x"].as<int>(), 2);
}

TEST(LoadYaml, SyntaxErrorsNameTheLine) {
  auto r = load_yaml("a: [1, 2\n", "f.yaml", "fix it");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().where, HasSubstr("f.yaml:"));
  EXPECT_EQ(r.error().hint, "fix it");
}

}  // namespace
}  // namespace distill::core
