#include "effects/tree.hpp"

#include <gtest/gtest.h>

#include <set>

#include "core/file_util.hpp"
#include "core/temp_dir.hpp"

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

// A change is a change of the object, its metadata or its bytes, wherever
// those bytes are kept: the same bytes put again from another place are no
// change; other bytes from the same file are one.
TEST(EffectsTree, TracksChangedBytesNotWhereTheyAreKept) {
  auto dir = core::TempDir::create();
  ASSERT_TRUE(dir.ok());
  const std::string pack = dir->path() + "/pack";
  ASSERT_TRUE(core::write_file_atomic(pack, "abcabd").ok());
  auto ranged = [&](const std::string& path, uint64_t offset) {
    oci::FsEntry e = oci::FsEntry::host_file(path, pack);
    e.source_range = oci::ContentRange{offset, 3};
    return e;
  };
  Tree t;
  t.put(ranged("same", 0));
  t.put(ranged("moved", 0));
  t.put(ranged("other", 0));
  t.put(ranged("mode", 0));
  t.track_changes();
  t.put(oci::FsEntry::file("same", "abc"));  // the same bytes, kept in memory
  t.put(ranged("moved", 0));                 // the very same range
  t.put(ranged("other", 3));                 // "abd": same file, other bytes
  oci::FsEntry mode = ranged("mode", 0);
  mode.mode = 0755;
  t.put(mode);
  EXPECT_EQ(t.changed(), (std::set<std::string>{"mode", "other"}));
}

}  // namespace
}  // namespace distill::effects
