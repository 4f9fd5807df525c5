#include "effects/tree.hpp"

#include <gtest/gtest.h>

namespace distill::effects {
namespace {

Tree merged_usr() {
  Tree t;
  t.put(oci::FsEntry::directory("usr"));
  t.put(oci::FsEntry::directory("usr/lib"));
  t.put(oci::FsEntry::symlink("lib", "usr/lib"));
  t.put(oci::FsEntry::file("usr/lib/libz.so.1.2.13", "z"));
  t.put(oci::FsEntry::symlink("usr/lib/libz.so.1", "libz.so.1.2.13"));
  t.put(oci::FsEntry::symlink("usr/lib/abs", "/lib/libz.so.1"));
  t.put(oci::FsEntry::symlink("usr/lib/up", "../../../../lib/libz.so.1"));
  t.put(oci::FsEntry::symlink("usr/lib/loop", "loop"));
  return t;
}

TEST(EffectsTree, ResolvesRelativeAbsoluteAndUpwardLinksInsideTheRoot) {
  Tree t = merged_usr();
  EXPECT_EQ(t.resolve("/lib/libz.so.1"), "usr/lib/libz.so.1.2.13");
  EXPECT_EQ(t.resolve("usr/lib/abs"), "usr/lib/libz.so.1.2.13");
  EXPECT_EQ(t.resolve("usr/lib/up"), "usr/lib/libz.so.1.2.13");
  EXPECT_EQ(t.resolve("usr/lib/loop"), std::nullopt);
  EXPECT_EQ(t.resolve("usr/lib/missing"), std::nullopt);
  EXPECT_EQ(t.resolve("usr/lib/libz.so.1.2.13/x"), std::nullopt);
  ASSERT_NE(t.find_resolved("/lib/libz.so.1"), nullptr);
  EXPECT_EQ(t.find_resolved("/lib/libz.so.1")->data, "z");
}

TEST(EffectsTree, ListsChildrenAndEntriesBelowAFolder) {
  Tree t = merged_usr();
  EXPECT_EQ(t.children("usr/lib"),
            (std::vector<std::string>{"abs", "libz.so.1", "libz.so.1.2.13", "loop", "up"}));
  EXPECT_EQ(t.children(""), (std::vector<std::string>{"lib", "usr"}));
  int n = 0;
  t.for_each_under("usr", [&n](const oci::FsEntry&) { ++n; });
  EXPECT_EQ(n, 6);
}

TEST(EffectsTree, ReadsDataAndRefusesLargeOrNonRegularEntries) {
  Tree t = merged_usr();
  EXPECT_EQ(*read_entry(*t.find("usr/lib/libz.so.1.2.13"), 10), "z");
  EXPECT_FALSE(read_entry(*t.find("usr/lib/libz.so.1"), 10).ok());
  oci::FsEntry big = oci::FsEntry::file("big", std::string(11, 'x'));
  EXPECT_FALSE(read_entry(big, 10).ok());
  EXPECT_EQ(tree_path("/./usr//lib/"), "usr/lib");
}

}  // namespace
}  // namespace distill::effects
