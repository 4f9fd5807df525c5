#include "oci/compressor.hpp"

#include <gtest/gtest.h>
#include <libdeflate.h>
#include <zstd.h>

#include "core/decompress.hpp"
#include "core/file_util.hpp"
#include "core/temp_dir.hpp"
#include "unit/oci/oci_test_util.hpp"

using namespace distill;
using namespace distill::oci;

namespace {

std::string sample_input() {
  std::string s;
  for (int i = 0; i < 200000; ++i) s += "line " + std::to_string(i * 7919 % 1000) + "\n";
  return s;
}

// Compresses `input`, feeding it in pieces of `chunk` bytes.
std::string compress(Compression c, const std::string& input, size_t chunk, int level = 0) {
  std::string out;
  auto comp = Compressor::create(c, level, [&](std::string_view d) {
    out.append(d);
    return core::Status::Ok();
  });
  EXPECT_TRUE(comp.ok());
  for (size_t off = 0; off < input.size(); off += chunk)
    EXPECT_TRUE((*comp)->write(std::string_view(input).substr(off, chunk)).ok());
  EXPECT_TRUE((*comp)->finish().ok());
  return out;
}

TEST(Compressor, GzipHeaderIsFixed) {
  std::string gz = compress(Compression::kGzip, "hello", 5);
  ASSERT_GE(gz.size(), 10u);
  // magic, deflate, no flags (no name/comment/extra/hcrc), mtime 0, XFL 0, OS 255
  EXPECT_EQ(gz.substr(0, 10), std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", 10));
}

TEST(Compressor, OutputDoesNotDependOnChunking) {
  std::string input = sample_input();
  for (auto c : {Compression::kGzip, Compression::kZstd, Compression::kNone}) {
    std::string a = compress(c, input, input.size());
    std::string b = compress(c, input, 1000);
    std::string d = compress(c, input, 7);
    EXPECT_EQ(a, b) << compression_name(c);
    EXPECT_EQ(a, d) << compression_name(c);
    auto back = core::decompress(a, "test");
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, input);
  }
}

TEST(Compressor, ZstdFrameHasChecksumButNoContentSize) {
  std::string z = compress(Compression::kZstd, sample_input(), 1 << 20);
  EXPECT_EQ(ZSTD_getFrameContentSize(z.data(), z.size()), ZSTD_CONTENTSIZE_UNKNOWN);
  // Frame header descriptor (RFC 8878 3.1.1.1.1): content size flag and
  // single segment off, checksum on, no dictionary ID.
  ASSERT_GE(z.size(), 5u);
  EXPECT_EQ(z.substr(0, 4), std::string("\x28\xb5\x2f\xfd", 4));
  auto fhd = static_cast<unsigned char>(z[4]);
  EXPECT_EQ(fhd >> 6, 0);        // Frame_Content_Size_flag
  EXPECT_EQ((fhd >> 5) & 1, 0);  // Single_Segment_flag
  EXPECT_EQ((fhd >> 2) & 1, 1);  // Content_Checksum_flag
  EXPECT_EQ(fhd & 3, 0);         // Dictionary_ID_flag
}

TEST(Compressor, TheFormatNamesEveryParameterOfTheBytes) {
  // Layer caches key on it: a blob in an older format must not be reused.
  EXPECT_EQ(compression_format(Compression::kGzip),
            "gzip members=524288 level=4 libdeflate=" + std::string(LIBDEFLATE_VERSION_STRING));
  EXPECT_EQ(compression_format(Compression::kZstd).rfind("zstd level=3 zstd=", 0), 0u);
  EXPECT_EQ(compression_format(Compression::kNone), "none");
}

TEST(Compressor, LevelsAreChecked) {
  auto sink = [](std::string_view) { return core::Status::Ok(); };
  EXPECT_FALSE(Compressor::create(Compression::kGzip, 10, sink).ok());
  EXPECT_FALSE(Compressor::create(Compression::kZstd, -5, sink).ok());
  EXPECT_NE(compress(Compression::kGzip, sample_input(), 4096, 1),
            compress(Compression::kGzip, sample_input(), 4096, 9));
}

TEST(Compressor, SinkErrorStopsTheStream) {
  auto comp = Compressor::create(Compression::kGzip, 0, [](std::string_view) {
    return core::Status(core::make_error("disk", "full"));
  });
  ASSERT_TRUE(comp.ok());
  // Blocks go out while later ones deflate: the error comes by finish() at the latest.
  auto st = (*comp)->write(sample_input());
  if (st.ok()) st = (*comp)->finish();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().what, "full");
  EXPECT_FALSE((*comp)->finish().ok()) << "and stays";
}

std::string parallel_gzip(const std::string& input, unsigned threads, size_t chunk) {
  std::string out;
  auto comp = make_parallel_gzip(kDefaultGzipLevel, threads, [&](std::string_view d) {
    out.append(d);
    return core::Status::Ok();
  });
  for (size_t off = 0; off < input.size(); off += chunk)
    EXPECT_TRUE(comp->write(std::string_view(input).substr(off, chunk)).ok());
  EXPECT_TRUE(comp->finish().ok());
  return out;
}

TEST(Compressor, GzipIsTheSameBytesForAnyNumberOfThreads) {
  std::string input = sample_input();  // about 15 blocks
  std::string one = parallel_gzip(input, 1, input.size());
  for (unsigned threads : {2u, 3u, 8u})
    for (size_t chunk : {size_t{7}, size_t{4096}, kGzipBlock, kGzipBlock + 1})
      EXPECT_EQ(parallel_gzip(input, threads, chunk), one) << threads << " " << chunk;
  EXPECT_EQ(compress(Compression::kGzip, input, 5000), one) << "what layers get";
  auto back = core::decompress(one, "test");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, input);
}

TEST(Compressor, GzipBlockEdges) {
  // Empty, one byte, exactly one and two blocks, one byte over: each
  // inflates back, whatever the threads.
  for (size_t n : {size_t{0}, size_t{1}, kGzipBlock, 2 * kGzipBlock, kGzipBlock + 1}) {
    std::string input(n, '\0');
    for (size_t i = 0; i < n; ++i) input[i] = static_cast<char>((i * 131) % 251);
    std::string gz = parallel_gzip(input, 3, 1000);
    EXPECT_EQ(parallel_gzip(input, 1, 1000), gz) << n;
    auto back = core::decompress(gz, "test");
    ASSERT_TRUE(back.ok()) << n;
    EXPECT_EQ(*back, input) << n;
  }
}

TEST(Compressor, GzipIsOneMemberPerBlockEachWithItsOwnTrailer) {
  std::string input(2 * kGzipBlock + 1, 'x');
  for (size_t i = 0; i < input.size(); ++i) input[i] = static_cast<char>((i * 131) % 251);
  std::string gz = parallel_gzip(input, 2, 4096);
  // Walk the members: each header, then (after its deflate data) the CRC-32
  // and size of its own block; the blocks' sizes are kGzipBlock, kGzipBlock, 1.
  auto le32 = [&](size_t at) {
    uint32_t v = 0;
    for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(gz[at + i]);
    return v;
  };
  const std::string header("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", 10);
  std::vector<size_t> starts;
  for (size_t at = gz.find(header); at != std::string::npos; at = gz.find(header, at + 1))
    starts.push_back(at);
  ASSERT_GE(starts.size(), 3u);
  EXPECT_EQ(starts[0], 0u);
  // The last member holds the last byte alone.
  EXPECT_EQ(le32(gz.size() - 4), 1u);
  EXPECT_EQ(le32(gz.size() - 8), libdeflate_crc32(0, input.data() + 2 * kGzipBlock, 1));
  auto back = core::decompress(gz, "test");
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(*back, input);
}

TEST(Compressor, ExternalToolsAcceptTheOutput) {
  std::string gzip = oci::test_util::require_tool("gzip");
  std::string zstd = oci::test_util::require_tool("zstd");
  auto dir = core::TempDir::create();
  ASSERT_TRUE(dir.ok());
  std::string gz = dir->path() + "/x.gz", zs = dir->path() + "/x.zst";
  std::string big;  // blocks with back-references into the one before
  for (int i = 0; i < 8; ++i) big += sample_input();
  ASSERT_TRUE(core::write_file_atomic(gz, compress(Compression::kGzip, big, 999)).ok());
  ASSERT_TRUE(core::write_file_atomic(zs, compress(Compression::kZstd, sample_input(), 999)).ok());
  auto g = oci::test_util::run({gzip, "-t", gz});
  EXPECT_EQ(g.exit_code, 0) << g.err;
  // gzip reads the members as one stream: all of the input comes back.
  auto back = oci::test_util::run({gzip, "-dc", gz});
  EXPECT_EQ(back.exit_code, 0) << back.err;
  EXPECT_TRUE(back.out == big) << back.out.size() << " bytes, not " << big.size();
  auto z = oci::test_util::run({zstd, "-q", "-t", zs});
  EXPECT_EQ(z.exit_code, 0) << z.err;
}

}  // namespace
