#include "oci/tar_entry_reader.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

#include "oci/archive_util.hpp"
#include "unit/image/image_test_util.hpp"

namespace distill::oci {
namespace {

namespace it = image::test_util;
using ::testing::HasSubstr;

// Holds the tar bytes and a reader open on them.
struct OpenTar {
  explicit OpenTar(std::string bytes, TarReadOptions options = {})
      : data(std::move(bytes)), a(archive_read_new()) {
    archive_read_support_format_tar(a.get());
    EXPECT_EQ(archive_read_open_memory(a.get(), data.data(), data.size()), ARCHIVE_OK);
    reader = std::make_unique<TarEntryReader>(a.get(), "test.tar", options);
  }
  std::string data;
  ScopedUtf8Locale utf8;
  ArchiveReader a;
  std::unique_ptr<TarEntryReader> reader;
};

TEST(TarEntryReader, ReportsEveryKindOfMemberWithOneIdPolicy) {
  it::Member owned = it::file("./etc/passwd", "root:x:0:0\n", 0640);
  owned.uid = 4'000'000'000;  // fits 32 bits: kept
  OpenTar t(it::make_tar({it::dir("./"),
                          owned,
                          it::sym("bin", "usr/bin"),
                          it::hard("./etc/passwd2", "./etc/passwd"),
                          {"dev/null", it::Member::kCharDevice, {}, {}, 0666}}));
  TarMember m;
  ASSERT_TRUE(*t.reader->next(m));
  EXPECT_EQ(m.type, TarType::kDirectory);
  ASSERT_TRUE(*t.reader->next(m));
  EXPECT_EQ(m.name, "./etc/passwd");
  EXPECT_EQ(m.type, TarType::kRegular);
  EXPECT_EQ(m.mode, 0640u);
  EXPECT_EQ(m.uid, 4'000'000'000u);
  EXPECT_EQ(m.gid, 4'000'000'000u);
  EXPECT_EQ(m.size, 11);
  std::string streamed;
  ASSERT_TRUE(t.reader
                  ->copy_content([&](std::string_view chunk) {
                    streamed.append(chunk);
                    return core::Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(streamed, "root:x:0:0\n");
  ASSERT_TRUE(*t.reader->next(m));
  EXPECT_EQ(m.type, TarType::kSymlink);
  EXPECT_EQ(m.link, "usr/bin");
  ASSERT_TRUE(*t.reader->next(m));
  EXPECT_EQ(m.type, TarType::kHardlink);
  EXPECT_EQ(m.link, "./etc/passwd");
  ASSERT_TRUE(*t.reader->next(m));
  EXPECT_EQ(m.type, TarType::kCharDevice);
  EXPECT_EQ(tar_type_name(m.type), "character device");
  EXPECT_FALSE(*t.reader->next(m));
  EXPECT_EQ(t.reader->members_read(), 5u);
}

TEST(TarEntryReader, RefusesIdsOutsideThirtyTwoBits) {
  it::Member big = it::file("a", "x");
  big.uid = int64_t{1} << 32;
  OpenTar t(it::make_tar({big}));
  TarMember m;
  auto r = t.reader->next(m);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().where, "test.tar");
  EXPECT_THAT(r.error().what, HasSubstr("member 'a' has owner 4294967296:4294967296"));
  EXPECT_THAT(r.error().what, HasSubstr("outside the range of ids"));
}

TEST(TarEntryReader, BoundsReadContentBeforeReading) {
  OpenTar t(it::make_tar({it::file("big", std::string(5000, 'z')), it::file("small", "ok")}));
  TarMember m;
  ASSERT_TRUE(*t.reader->next(m));
  auto big = t.reader->read_content(4999);
  ASSERT_FALSE(big.ok());
  EXPECT_THAT(big.error().what, HasSubstr("member 'big' is larger than 4999 bytes"));
  ASSERT_TRUE(*t.reader->next(m));
  EXPECT_EQ(*t.reader->read_content(2), "ok");
}

TEST(TarEntryReader, LimitsTheNumberOfMembers) {
  OpenTar t(it::make_tar({it::file("a", ""), it::file("b", ""), it::file("c", "")}),
            {.max_members = 2});
  TarMember m;
  ASSERT_TRUE(*t.reader->next(m));
  ASSERT_TRUE(*t.reader->next(m));
  auto r = t.reader->next(m);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().what, HasSubstr("more than 2 members"));
}

TEST(TarEntryReader, TruncatedArchiveIsOneError) {
  std::string tar = it::make_tar({it::file("a", std::string(3000, 'a'))});
  OpenTar t(tar.substr(0, 1024));
  TarMember m;
  ASSERT_TRUE(*t.reader->next(m));
  auto r = t.reader->read_content(1 << 20);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().what, HasSubstr("member 'a' cannot be read"));
}

TEST(QuoteName, EscapesControlBytesAndNonUtf8) {
  EXPECT_EQ(quote_name("a\x1b]0;x\x07"), "'a\\x1b]0;x\\x07'");
  EXPECT_EQ(quote_name("caf\xc3\xa9"), "'caf\xc3\xa9'");
  EXPECT_EQ(quote_name("caf\xe9"), "'caf\\xe9'");
}

}  // namespace
}  // namespace distill::oci
