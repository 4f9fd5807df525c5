#include "oci/content_pack.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <random>
#include <string>
#include <vector>

#include "core/file_util.hpp"
#include "core/sha256.hpp"
#include "oci/entry_content.hpp"
#include "oci/layer_writer.hpp"
#include "unit/oci/oci_test_util.hpp"
#include "unit/test_util/temp_folder.hpp"

using namespace distill;
using namespace distill::oci;

namespace {

class ContentPackTest : public distill::test_support::TempFolderTest {
 protected:
  ContentPack pack() {
    auto p = ContentPack::create(dir_->path());
    EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().message());
    return std::move(p).value();
  }
};

FsEntry packed(std::string path, const ContentPack& pack, ContentRange range) {
  FsEntry e = FsEntry::host_file(std::move(path), pack.path());
  e.source_range = range;
  return e;
}

std::string mixed_bytes(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s;
  s.reserve(n);
  while (s.size() < n) s += "row " + std::to_string(rng() % 100000) + " ";
  s.resize(n);
  return s;
}

TEST_F(ContentPackTest, EntriesReadBackFromTheirRanges) {
  ContentPack p = pack();
  std::vector<std::string> contents = {"", "tiny", mixed_bytes(3 << 20, 1), "x",
                                       mixed_bytes(70000, 2)};
  std::vector<ContentRange> ranges;
  for (const auto& c : contents) {
    auto r = p.append(c);
    ASSERT_TRUE(r.ok()) << r.error().message();
    ranges.push_back(*r);
  }
  ASSERT_TRUE(p.finish().ok());
  uint64_t at = 0;
  for (size_t i = 0; i < contents.size(); ++i) {
    EXPECT_EQ(ranges[i].offset, at);
    EXPECT_EQ(ranges[i].size, contents[i].size());
    at += contents[i].size();
    FsEntry e = packed("f" + std::to_string(i), p, ranges[i]);
    EXPECT_EQ(*content_size(e), contents[i].size());
    auto back = read_content(e, contents[i].size());
    ASSERT_TRUE(back.ok()) << back.error().message();
    EXPECT_TRUE(*back == contents[i]) << i;
    EXPECT_EQ(*content_sha256(e), core::sha256_hex(contents[i]));
    EXPECT_EQ(*content_md5(e), core::md5_hex(contents[i]));
  }
  EXPECT_EQ(p.size(), at);
  struct stat st {};
  ASSERT_EQ(::stat(p.path().c_str(), &st), 0);
  EXPECT_EQ(static_cast<uint64_t>(st.st_size), at);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
}

// Chunks added one by one make one entry; a chunk of zeros is a hole.
TEST_F(ContentPackTest, StreamedEntriesAndHoles) {
  ContentPack p = pack();
  ASSERT_TRUE(p.append("head").ok());
  p.begin_entry();
  std::string zeros(1 << 16, '\0');
  std::string expected;
  for (int i = 0; i < 64; ++i) {  // 4 MiB of zeros and a marker
    ASSERT_TRUE(p.add(zeros).ok());
    expected += zeros;
  }
  ASSERT_TRUE(p.add("end").ok());
  expected += "end";
  ContentRange r = p.end_entry();
  ASSERT_TRUE(p.finish().ok());
  EXPECT_EQ(r.offset, 4u);
  EXPECT_EQ(r.size, expected.size());
  auto back = read_content(packed("z", p, r), expected.size());
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_TRUE(*back == expected);
  struct stat st {};
  ASSERT_EQ(::stat(p.path().c_str(), &st), 0);
  EXPECT_LT(static_cast<uint64_t>(st.st_blocks) * 512, uint64_t{1} << 20) << "zeros are holes";
}

TEST_F(ContentPackTest, PacksNeverShareAName) {
  ContentPack a = pack();
  ContentPack b = pack();
  EXPECT_NE(a.path(), b.path());
}

TEST_F(ContentPackTest, ARangeBeyondThePackIsAnError) {
  ContentPack p = pack();
  auto r = p.append("short");
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(p.finish().ok());
  FsEntry e = packed("usr/x", p, ContentRange{2, 10});
  auto back = read_content(e, 100);
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.error().where, p.path());
  EXPECT_NE(back.error().what.find("/usr/x"), std::string::npos) << back.error().what;
  // The pack cut short after the entry was opened: the stream says so.
  FsEntry whole = packed("usr/y", p, *r);
  auto stream = ContentStream::open(whole);
  ASSERT_TRUE(stream.ok());
  ASSERT_EQ(::truncate(p.path().c_str(), 2), 0);
  char buf[16];
  auto n = stream->read(buf, sizeof buf);
  EXPECT_TRUE(n.ok() ? *n == 2 : false);
  EXPECT_FALSE(stream->read(buf, sizeof buf).ok());
}

TEST_F(ContentPackTest, ReadContentIsBounded) {
  ContentPack p = pack();
  auto r = p.append(std::string(1000, 'a'));
  ASSERT_TRUE(p.finish().ok());
  auto back = read_content(packed("usr/big", p, *r), 999);
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.error().where, "/usr/big");
  EXPECT_EQ(back.error().what, "larger than 999 bytes");
  EXPECT_EQ(*read_content_prefix(packed("usr/big", p, *r), 4), "aaaa");
}

// Same bytes wherever they are: memory, a host file or a pack.
TEST_F(ContentPackTest, SameContentComparesBytesWhereverStored) {
  std::string text = mixed_bytes(200000, 3);
  ContentPack p = pack();
  auto r1 = p.append(text);
  auto r2 = p.append(text);
  std::string other = text;
  other[150000] ^= 1;
  auto r3 = p.append(other);
  ASSERT_TRUE(p.finish().ok());
  ASSERT_TRUE(core::write_file_atomic(path("host"), text).ok());
  FsEntry mem = FsEntry::file("a", text);
  FsEntry host = FsEntry::host_file("b", path("host"));
  FsEntry one = packed("c", p, *r1), two = packed("d", p, *r2), three = packed("e", p, *r3);
  EXPECT_TRUE(*same_content(mem, host));
  EXPECT_TRUE(*same_content(host, one));
  EXPECT_TRUE(*same_content(one, two));
  EXPECT_TRUE(*same_content(two, mem));
  EXPECT_FALSE(*same_content(one, three));
  EXPECT_FALSE(*same_content(mem, three));
  EXPECT_FALSE(*same_content(mem, FsEntry::file("f", text.substr(1))));
}

// The layer does not depend on where content is stored: packed entries give
// the bytes (and digests) of the same entries held in memory.
TEST_F(ContentPackTest, LayerDigestsDoNotDependOnStorage) {
  std::vector<FsEntry> in_memory = oci::test_util::base_layer_entries();
  in_memory.push_back(FsEntry::file("usr/lib/big", mixed_bytes(1 << 20, 4), 0755));
  in_memory.push_back(FsEntry::file("usr/lib/empty", ""));
  in_memory.push_back(FsEntry::file("usr/lib/zeros", std::string(300000, '\0')));
  std::vector<FsEntry> packed_entries;
  ContentPack p = pack();
  for (const FsEntry& e : in_memory) {
    FsEntry copy = e;
    if (e.type == EntryType::kRegular) {
      auto r = p.append(e.data);
      ASSERT_TRUE(r.ok());
      copy.data.clear();
      copy.source_path = p.path();
      copy.source_range = *r;
    }
    packed_entries.push_back(std::move(copy));
  }
  ASSERT_TRUE(p.finish().ok());
  auto a = write_layer(in_memory, LayerOptions{}, path("a.gz"));
  auto b = write_layer(packed_entries, LayerOptions{}, path("b.gz"));
  ASSERT_TRUE(a.ok()) << a.error().message();
  ASSERT_TRUE(b.ok()) << b.error().message();
  EXPECT_EQ(a->diff_id, b->diff_id);
  EXPECT_EQ(a->digest, b->digest);
}

TEST(FsEntryContent, ARangeNeedsASourceFile) {
  FsEntry e = FsEntry::file("x", "");
  e.source_range = ContentRange{0, 0};
  auto st = validate_entry(e);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().what, "has a content range but no source file");
}

}  // namespace
