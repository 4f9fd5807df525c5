#include "vuln/feed_import.hpp"

#include <gtest/gtest.h>

#include "core/file_util.hpp"
#include "net/http.hpp"
#include "unit/test_util/temp_folder.hpp"
#include "vuln/database.hpp"
#include "vuln/database_status.hpp"

using namespace distill;
using namespace distill::vuln;

namespace {

class FeedImportClock : public core::Clock {
 public:
  int64_t now() const override { return 1700000000; }
  void sleep_for(std::chrono::milliseconds) override {}
};

constexpr const char* kTrackerExport =
    R"({"openssl": {"CVE-2099-1": {"releases": {"bookworm": {"status": "open", "urgency": "low"}}},
                    "CVE-2099-2": {"releases": {"bookworm": {"status": "open", "urgency": "high"}}}}})";

class FeedImportTest : public distill::test_support::TempFolderTest {};

TEST_F(FeedImportTest, ImportsFilesAndSummarises) {
  ASSERT_TRUE(core::write_file_atomic(path("tracker.json"), kTrackerExport).ok());
  FeedImportClock clock;
  auto summary = import_feeds({path("tracker.json")}, path("db.sqlite"), clock);
  ASSERT_TRUE(summary.ok()) << summary.error().message();
  EXPECT_EQ(*summary, path("db.sqlite") + ": 2 advisories, 2 issues, 1 source packages\n");
  auto db = Database::open(path("db.sqlite"));
  ASSERT_TRUE(db.ok());
  EXPECT_EQ((*db)->info().sources, std::vector<std::string>{path("tracker.json")});
  EXPECT_EQ((*db)->info().imported_at, 1700000000);

  auto status = database_status_json(**db, 1700000000);
  EXPECT_EQ(status["advisories"], 2);
  EXPECT_EQ(status["source_packages"], 1);
  std::string text = database_status_text(**db, 1700000000);
  EXPECT_EQ(text.rfind("Database:     " + path("db.sqlite") + "\nSource:       ", 0), 0u) << text;
  EXPECT_NE(text.find("\nAdvisories:   2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\n  bookworm    2\n"), std::string::npos) << text;
}

TEST_F(FeedImportTest, AMissingFileWritesNothing) {
  FeedImportClock clock;
  EXPECT_FALSE(import_feeds({path("missing.json")}, path("db.sqlite"), clock).ok());
  EXPECT_FALSE(core::path_exists(path("db.sqlite")));
  EXPECT_EQ(database_summary(path("db.sqlite")), "");
}

// Never reached: update refuses before downloading.
class NoNetwork : public net::HttpTransport {
 public:
  core::Result<net::HttpResponse> send(const net::HttpRequest&, const net::BodySink*) override {
    ADD_FAILURE() << "no download expected";
    return core::make_error("net", "no network");
  }
};

TEST_F(FeedImportTest, UpdateNeedsAUrlAndTheNetwork) {
  FeedImportClock clock;
  NoNetwork transport;
  ::unsetenv(kVulnDbUrlEnv);
  auto r = update_database({}, path("db.sqlite"), transport, clock);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().what, "no URL to download from");
  r = update_database({"http://127.0.0.1:1/x.json", true}, path("db.sqlite"), transport, clock);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().what, "cannot download with --offline");
}

}  // namespace
